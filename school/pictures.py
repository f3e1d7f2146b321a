"""Pictures people upload (profile photographs, course pictures, teachers' photos): checked
by content, re-encoded without metadata, stored in their folder.

An upload is never trusted: its size is checked while reading the stream (before Pillow sees
a byte), its pixel count is checked from the header before decoding (decompression bombs),
and what is stored is a fresh JPEG drawn from the decoded pixels, so EXIF (GPS position,
camera serial numbers) and anything hidden in the original file are gone.

Course pictures (a course's image, its teacher's photo) go through the same steps, with their
own size and their own folder: those are public, profile photos are not.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
CHUNK = 64 * 1024


class PhotoError(ValueError):
    """An upload refused; ``message`` is for the person who sent it."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def photo_dir() -> Path:
    return Path(current_app.config["PHOTO_DIR"])


def photo_path(name: str, folder: Path | None = None) -> Path:
    # Names are ours (hex + .jpg), but never let a stored value walk out of the folder.
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise FileNotFoundError(name)
    return (folder or photo_dir()) / name


def read_limited(stream, limit: int) -> bytes:
    """Read at most ``limit`` bytes; refuse as soon as the stream holds more."""
    buffer = io.BytesIO()
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise PhotoError(
                _l(
                    "The photo is larger than %(size)d MB. Please choose a smaller file.",
                    size=limit // (1024 * 1024),
                )
            )
    return buffer.getvalue()


def reencode(data: bytes, max_side: int | None = None) -> bytes:
    """Decode ``data`` safely; return a metadata-free JPEG no larger than ``max_side``
    (by default PHOTO_MAX_SIDE) on its longer side."""
    config = current_app.config
    if not data:
        raise PhotoError(_l("The file is empty. Please choose a photo."))
    not_a_picture = _l("This file is not a picture we can read. Please use JPEG, PNG or WebP.")
    too_many_pixels = _l(
        "This picture has too many pixels to process safely. Please use a smaller one."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise PhotoError(not_a_picture)
                width, height = image.size
                if width * height > config["PHOTO_MAX_PIXELS"]:
                    raise PhotoError(too_many_pixels)
                image.load()
                picture = ImageOps.exif_transpose(image)
                picture = picture.convert("RGB")
    except PhotoError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise PhotoError(too_many_pixels) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoError(not_a_picture) from error
    side = max_side or config["PHOTO_MAX_SIDE"]
    picture.thumbnail((side, side), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    picture.save(output, format="JPEG", quality=85, optimize=True)
    return output.getvalue()


def store(jpeg: bytes, folder: Path | None = None) -> str:
    """Write the photo under a random name, readable by the owner only; return the name."""
    folder = folder or photo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".jpg"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(jpeg)
    return name


def remove(name: str | None, folder: Path | None = None) -> None:
    if not name:
        return
    with contextlib.suppress(FileNotFoundError):
        photo_path(name, folder).unlink()

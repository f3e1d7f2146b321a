"""Pictures made in memory for upload tests."""

from __future__ import annotations

import io

from PIL import Image

FULL_PROFILE = {
    "full_name": "Sam Q. Student",
    "display_name": "Sammy",
    "locale": "ru",
    "phone": "+375 29 123 45 67",
    "address": "12 Lilac Street, flat 4, Minsk",
    "postal_code": "220030",
    "date_of_birth": "1990-05-17",
    "workplace": "Acme Translation Bureau",
    "position": "Junior editor",
    "education": "BA in philology, Minsk State Linguistic University",
    "interests": "Legal translation, poetry",
    "learning_goals": "Pass the Goethe-Zertifikat B2 next summer",
}


def jpeg_with_exif(size=(2000, 1500)) -> bytes:
    """A JPEG carrying EXIF: a camera model and a GPS position that must not survive."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 3000"  # Model
    exif[0x8825] = {1: "N", 2: (53.0, 54.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png(size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def decompression_bomb() -> bytes:
    """A small PNG file that decodes to 100 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

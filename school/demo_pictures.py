"""Pictures for the demo courses, drawn with Pillow when the demo data is seeded.

Nothing is downloaded: each course gets two speech bubbles on a calm gradient in its
language's colours, and each teacher a simple drawn portrait. They are PNG bytes, handed to
the same re-encoding as any upload.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

# Two colours per taught language: the gradient's top and bottom.
PALETTES = {
    "en": ("#1d4f91", "#5b8fd1"),
    "de": ("#3d4a5c", "#8a9bb3"),
    "fr": ("#2e5e73", "#7fb2c4"),
    "es": ("#a3512b", "#e0a16f"),
    "it": ("#2f6b4f", "#88c2a0"),
    "pl": ("#7a2f3f", "#d08a97"),
    "zh": ("#8a2d1f", "#e0876f"),
    "ru": ("#34427a", "#8f9ad6"),
}
DEFAULT_PALETTE = ("#1d4f91", "#5b8fd1")
SKIN = ("#f1c7a5", "#d9a27b", "#b67a55", "#8d5a3b")
HAIR = ("#2b211c", "#5a3b26", "#a0662f", "#d8b377", "#6b6b6b")
SHIRTS = ("#1d4f91", "#2f6b4f", "#7a2f3f", "#3d4a5c", "#a3512b")


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _gradient(size: tuple[int, int], top: str, bottom: str) -> Image.Image:
    width, height = size
    start, end = _rgb(top), _rgb(bottom)
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(height - 1, 1)
        column.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
        )
    return column.resize(size)


def _png(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def _pick(options, seed: str, salt: str):
    digest = hashlib.sha256(f"{salt}:{seed}".encode()).digest()
    return options[digest[0] % len(options)]


def _bubble(draw, box, fill, tail_left: bool, lines: int, line_fill) -> None:
    left, top, right, bottom = box
    draw.rounded_rectangle(box, radius=(bottom - top) // 4, fill=fill)
    x = left + (right - left) // 5 if tail_left else right - (right - left) // 5
    step = 40 if tail_left else -40
    draw.polygon([(x, bottom - 2), (x + step, bottom - 2), (x - step // 2, bottom + 46)], fill=fill)
    padding = (bottom - top) // 5
    height = (bottom - top - 2 * padding) // (2 * lines - 1)
    for n in range(lines):
        y = top + padding + 2 * n * height
        end = right - padding - (n * 53 % 120)
        draw.rounded_rectangle(
            (left + padding, y, end, y + height), radius=height // 2, fill=line_fill
        )


def course_picture(language: str, seed: str, size: tuple[int, int] = (960, 540)) -> bytes:
    """Two speech bubbles, a conversation, on the language's gradient."""
    top, bottom = PALETTES.get(language, DEFAULT_PALETTE)
    image = _gradient(size, top, bottom).convert("RGBA")
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    width, height = size
    shift = int(_pick(range(-40, 41, 10), seed, "shift"))
    _bubble(
        draw,
        (width * 0.12 + shift, height * 0.16, width * 0.62 + shift, height * 0.48),
        (255, 255, 255, 235),
        True,
        2,
        (*_rgb(top), 150),
    )
    _bubble(
        draw,
        (width * 0.40 - shift, height * 0.56, width * 0.88 - shift, height * 0.82),
        (*_rgb(bottom), 255),
        False,
        2,
        (255, 255, 255, 200),
    )
    draw.ellipse(
        (width * 0.80, -height * 0.25, width * 1.15, height * 0.35), fill=(255, 255, 255, 40)
    )
    draw.ellipse((-width * 0.1, height * 0.75, width * 0.2, height * 1.3), fill=(255, 255, 255, 30))
    return _png(Image.alpha_composite(image, overlay).convert("RGB"))


def teacher_portrait(name: str, side: int = 320) -> bytes:
    """A drawn head and shoulders, its colours chosen from the name so they stay the same."""
    background = _gradient((side, side), "#e8eef5", "#c9d6e6")
    draw = ImageDraw.Draw(background)
    skin, hair, shirt = (
        _pick(SKIN, name, "skin"),
        _pick(HAIR, name, "hair"),
        _pick(SHIRTS, name, "shirt"),
    )
    centre = side / 2
    draw.ellipse((side * 0.14, side * 0.66, side * 0.86, side * 1.3), fill=shirt)
    draw.rectangle(
        (centre - side * 0.07, side * 0.52, centre + side * 0.07, side * 0.70), fill=skin
    )
    draw.ellipse((centre - side * 0.2, side * 0.16, centre + side * 0.2, side * 0.62), fill=hair)
    draw.ellipse((centre - side * 0.17, side * 0.22, centre + side * 0.17, side * 0.62), fill=skin)
    draw.chord(
        (centre - side * 0.19, side * 0.15, centre + side * 0.19, side * 0.45), 180, 360, fill=hair
    )
    return _png(background)

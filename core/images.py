"""The public copy of a photo: resized, re-encoded, and without its EXIF (a phone photo
carries the place it was taken and the device). Pillow decodes the pixels and writes a new
JPEG from them alone, so no metadata block of the original can ride along."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

PUBLIC_MAX_PX = 1024
# A 10 MB upload can still declare a huge canvas: refuse past this many pixels rather than
# let one "photo" take a worker's memory.
MAX_PIXELS = 40_000_000


class UnreadableImage(ValueError):
    pass


def public_jpeg(source, *, max_px: int = PUBLIC_MAX_PX) -> bytes:
    """JPEG bytes of `source` (a file object) at most `max_px` on its longer side, turned
    upright by its EXIF orientation, with no EXIF, ICC profile or comment."""
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise UnreadableImage("too large")
            image = ImageOps.exif_transpose(image)
            if image.mode != "RGB":
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            image.thumbnail((max_px, max_px))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=82, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as e:
        raise UnreadableImage(str(e)) from e
    return out.getvalue()

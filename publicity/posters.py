"""PNG versions of the notice-board QR codes and posters: chat apps (WeChat, DingTalk) show a
PNG preview and no SVG. segno writes the QR as PNG; Pillow sets it on a white card with the
organization's name, in a CJK font found on the system (PUBLIC_POSTER_FONT, else fontconfig).
Without one the card is the QR alone: a box-drawn name is worse than none."""

from __future__ import annotations

import functools
import io
import logging
import shutil
import subprocess

import segno
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

# Open Graph previews are 1.91:1; WeChat crops to a square: a square card reads in both.
CARD_PX = 800


def qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


@functools.cache
def cjk_font_path() -> str | None:
    """A font file with Chinese glyphs: the setting, else the first fontconfig knows."""
    configured = getattr(settings, "PUBLIC_POSTER_FONT", "")
    if configured:
        return configured
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            found = subprocess.run(
                [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=5
            ).stdout
        except (OSError, subprocess.SubprocessError):
            found = ""
        files = sorted(line.split(":")[0].strip() for line in found.splitlines() if line.strip())
        # Prefer a sans face (legible small on a phone), then anything with the glyphs.
        for path in sorted(files, key=lambda f: ("Sans" not in f, f)):
            return path
    logger.warning(
        "No CJK font found (set PUBLIC_POSTER_FONT or install fonts-noto-cjk): "
        "PNG posters show the QR code without the organization's name."
    )
    return None


def _font(size: int) -> ImageFont.FreeTypeFont | None:
    path = cjk_font_path()
    if path is None:
        return None
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        logger.warning("CJK font %s could not be read: PNG posters show the QR code alone.", path)
        return None


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width and line:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line else lines


def poster_png(url: str, heading: str, caption: str = "") -> bytes:
    """A square card: the heading (wrapped, at most two lines), the QR code and a caption."""
    qr = Image.open(io.BytesIO(qr_png(url, scale=12))).convert("RGB")
    title_font, caption_font = _font(44), _font(28)
    card = Image.new("RGB", (CARD_PX, CARD_PX), "white")
    draw = ImageDraw.Draw(card)
    margin, top = 40, 30
    if title_font is not None:
        for line in _wrapped(draw, heading, title_font, CARD_PX - 2 * margin)[:2]:
            draw.text((CARD_PX / 2, top), line, font=title_font, fill="#c00000", anchor="mt")
            top += 56
        draw.line((margin, top + 4, CARD_PX - margin, top + 4), fill="#c00000", width=3)
        top += 20
    bottom = CARD_PX - (60 if caption and caption_font is not None else 20)
    side = min(bottom - top, CARD_PX - 2 * margin)
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    card.paste(qr, ((CARD_PX - side) // 2, top))
    if caption and caption_font is not None:
        draw.text((CARD_PX / 2, CARD_PX - 44), caption, font=caption_font, fill="#333", anchor="mt")
    out = io.BytesIO()
    card.save(out, format="PNG", optimize=True)
    return out.getvalue()

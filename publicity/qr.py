"""QR codes for the notice board: SVG drawn by segno, sharp at any print size."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, *, scale: int = 4, title: str = "") -> str:
    """A standalone SVG document for the address."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=scale, border=2, title=title or None, xmldecl=True
    )
    return buffer.getvalue().decode("utf-8")


def qr_inline(url: str, *, scale: int = 5) -> str:
    """An <svg> element to put inside a page (the printed posters)."""
    return segno.make(url, error="m").svg_inline(scale=scale, border=2, omitsize=False)

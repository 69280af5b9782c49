"""One way to write a printable PDF of tables (a filing's attachments): A4 landscape, a title per
section, a table whose header repeats on every page, Chinese text.

Chinese is drawn with reportlab's built-in CID font STSong-Light (the reader's own 宋体 is used
for it, no font file is shipped). Every cell is text the user typed: table cells are plain
strings (never markup), the few Paragraphs (titles, the cover) escape it first (their markup
would otherwise read `<b>` or `<link>` in it), control characters are dropped, and a very long
text is cut, so no input breaks the document.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

FONT = "STSong-Light"
PAGE = landscape(A4)
MARGIN = 12 * mm
# A cell longer than this is cut: one cell may not outgrow a page (reportlab cannot split it).
CELL_MAX = 1500
CONTROL_RE = re.compile(r"[\000-\010\013\014\016-\037]")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    return {
        "title": ParagraphStyle(
            "title", fontName=font, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=6
        ),
        "subtitle": ParagraphStyle(
            "subtitle", fontName=font, fontSize=10, leading=14, alignment=TA_CENTER, spaceAfter=8
        ),
        "text": ParagraphStyle(
            "text", fontName=font, fontSize=11, leading=17, wordWrap="CJK", spaceAfter=4
        ),
    }


def cell_text(value: object) -> str:
    """The text of a cell: dates as 2026-07-15, nothing for None, the rest as its str()."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float):
        return f"{value:g}"
    text = CONTROL_RE.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    return text if len(text) <= CELL_MAX else text[:CELL_MAX] + "…"


def markup(value: object) -> str:
    """Typed text as Paragraph markup: escaped, line breaks kept."""
    return escape(cell_text(value)).replace("\n", "<br/>")


@dataclass
class Table:
    """Columns as (header, width in characters), as the Excel ledgers give them."""

    columns: tuple
    rows: Iterable[list]
    empty: str = ""


@dataclass
class Section:
    title: str
    subtitle: str = ""
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None


CELL_SIZE, CELL_LEADING, CELL_PADDING = 8, 10.5, 3


class _Wrapper:
    """Breaks a cell's text into lines that fit its column, character by character (Chinese
    breaks anywhere), measuring each character once: plain multi-line cells draw many times
    faster than a Paragraph per cell, and a branch's package stays well under its 5 s."""

    def __init__(self, font: str, size: float):
        self.font, self.size = font, size
        self.widths: dict[str, float] = {}

    def width(self, ch: str) -> float:
        w = self.widths.get(ch)
        if w is None:
            w = self.widths[ch] = pdfmetrics.stringWidth(ch, self.font, self.size)
        return w

    def wrap(self, value: object, width: float) -> str:
        lines = []
        for line in cell_text(value).split("\n"):
            current, used = [], 0.0
            for ch in line:
                w = self.width(ch)
                if current and used + w > width:
                    lines.append("".join(current))
                    current, used = [], 0.0
                current.append(ch)
                used += w
            lines.append("".join(current))
        return "\n".join(lines)


def _table(table: Table, styles: dict) -> list:
    usable = PAGE[0] - 2 * MARGIN
    weights = [width or 8 for _header, width in table.columns]
    widths = [usable * w / sum(weights) for w in weights]
    inner = [w - 2 * CELL_PADDING for w in widths]
    wrapper = _Wrapper(_font(), CELL_SIZE)
    data = [[wrapper.wrap(header, w) for (header, _w), w in zip(table.columns, inner, strict=True)]]
    data += [
        [wrapper.wrap(value, w) for value, w in zip(row, inner, strict=False)] for row in table.rows
    ]
    if len(data) == 1:
        return [Paragraph(markup(table.empty), styles["text"])]
    grid = LongTable(data, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), _font()),
                ("FONTSIZE", (0, 0), (-1, -1), CELL_SIZE),
                ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
                ("ALIGN", (0, 0), (-1, 0), "CENTER"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#FCE4D6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ]
        )
    )
    return [grid]


def write_pdf(out: IO[bytes], *, title: str, sections: list[Section], footer: str = "") -> None:
    """Write the sections to `out`, each from a new page, numbered at the foot."""
    styles = _styles()
    font = _font()
    printed = _("打印日期：%(date)s") % {"date": f"{timezone.localdate():%Y-%m-%d}"}
    page_of = _("第 %(n)d 页")

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(PAGE[0] / 2, 7 * mm, page_of % {"n": doc.page})
        canvas.drawRightString(PAGE[0] - MARGIN, 7 * mm, printed)
        if footer:
            canvas.drawString(MARGIN, 7 * mm, cell_text(footer)[:80])
        canvas.restoreState()

    story: list = []
    for i, section in enumerate(sections):
        if i:
            story.append(PageBreak())
        story.append(Paragraph(markup(section.title), styles["title"]))
        if section.subtitle:
            story.append(Paragraph(markup(section.subtitle), styles["subtitle"]))
        story += [Paragraph(markup(text), styles["text"]) for text in section.paragraphs]
        if section.table is not None:
            story.append(Spacer(1, 2 * mm))
            story += _table(section.table, styles)
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=cell_text(title),
        author="",
        creator="",
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)

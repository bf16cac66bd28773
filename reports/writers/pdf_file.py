"""PDF: the report's title and date, its charts, then every table (the header row repeated on each
page, amounts right-aligned with thousands separators). A table with ``depth`` and ``node_name``
columns is a statement over the chart of accounts: its names are indented by depth, the
top-level lines set in bold, and the depth column is left out.

reportlab's ``invariant`` mode leaves the creation date and the random document id out, so the
same content gives the same bytes.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from reports.content import ReportContent
from reports.content import Table as ReportTable
from reports.writers.charts import drawing
from reports.writers.values import text
from reports.writers.xlsx_file import heading

TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=2)
GREY = colors.HexColor("#555555")
SUBTITLE = ParagraphStyle("subtitle", fontName="Helvetica", fontSize=9, leading=12, textColor=GREY, spaceAfter=10)
SECTION = ParagraphStyle("section", fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=10, spaceAfter=4)
NOTE = ParagraphStyle("note", fontName="Helvetica-Oblique", fontSize=8, leading=10, textColor=GREY)
FONT_SIZE = 7
PADDING = 4  # points left and right of a cell's text
WIDE = 8  # more columns than this: landscape pages
HEADER_BACKGROUND = colors.HexColor("#DDE4EE")
STRIPE = colors.HexColor("#F4F6F9")


def write_pdf(content: ReportContent) -> bytes:
    wide = any(len(_shown_columns(t)) > WIDE for t in content.tables)
    pagesize = landscape(A4) if wide else A4
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=pagesize, invariant=1, title=content.title, author="Lana", creator="Lana",
        subject=f"{content.report_id} as of {content.as_of.isoformat()}",
        leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
    )
    width = pagesize[0] - 30 * mm
    story: list[Any] = [Paragraph(_escape(content.title), TITLE), Paragraph(_escape(_subtitle(content)), SUBTITLE)]
    for chart in content.charts:
        if chart.categories:
            story += [drawing(chart, width), Spacer(1, 8)]
    for table in content.tables:
        # A heading with less than a few lines of room below it starts on the next page.
        story += [CondPageBreak(30 * mm), Paragraph(_escape(table.title), SECTION), _table(table, width)]
    document.build(story, onFirstPage=_footer(content), onLaterPages=_footer(content))
    return buffer.getvalue()


def _subtitle(content: ReportContent) -> str:
    parts = [f"As of {content.as_of.isoformat()}"]
    if content.period:
        parts.append(f"movements from {content.period[0].isoformat()} to {content.period[1].isoformat()}")
    parts.append("amounts in major units (USD: dollars, BTC: bitcoin)")
    return " · ".join(parts)


def _footer(content: ReportContent):  # type: ignore[no-untyped-def]
    def draw(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(document.leftMargin, 8 * mm,
                          f"Lana · {content.report_id} · as of {content.as_of.isoformat()}")
        canvas.drawRightString(document.pagesize[0] - document.rightMargin, 8 * mm, f"page {document.page}")
        canvas.restoreState()
    return draw


def _shown_columns(table: ReportTable) -> list[int]:
    statement = "depth" in table.columns and "node_name" in table.columns
    return [i for i, c in enumerate(table.columns) if not (statement and c == "depth")]


def _table(table: ReportTable, width: float) -> Any:
    """The table as a flowable, or a note that it has no rows."""
    shown = _shown_columns(table)
    if not table.rows:
        return Paragraph("No rows.", NOTE)
    depth = table.columns.index("depth") if len(shown) < len(table.columns) else None
    name = table.columns.index("node_name") if depth is not None else None
    cells = [[heading(table.columns[i]) for i in shown]]
    for row in table.rows:
        line = []
        for i in shown:
            value = row[i]
            shown_text = _cell(value)
            if i == name and isinstance(row[depth], int):
                shown_text = "    " * row[depth] + shown_text
            line.append(shown_text)
        cells.append(line)
    numeric = [i for i, column in enumerate(shown) if any(_is_number(row[column]) for row in table.rows)]
    widths = _fit(cells, numeric, width)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", FONT_SIZE),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", FONT_SIZE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.HexColor("#7F8FA6")),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i in numeric:
        style.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
    for r, row in enumerate(table.rows, start=1):
        if r % 2 == 0:
            style.append(("BACKGROUND", (0, r), (-1, r), STRIPE))
        if depth is not None and row[depth] == 0:
            style.append(("FONT", (0, r), (-1, r), "Helvetica-Bold", FONT_SIZE))
    return Table(cells, colWidths=widths, repeatRows=1, style=TableStyle(style), hAlign="LEFT")


def _text_width(value: str) -> float:
    return stringWidth(value, "Helvetica-Bold", FONT_SIZE) + 2 * PADDING


def _fit(cells: list[list[str]], numeric: list[int], width: float) -> list[float]:
    """Column widths: each as wide as its widest text when they all fit in ``width``; else the
    numbers keep theirs and the widest text columns are narrowed to one common width (their
    texts cut short to fit), the narrow ones kept whole."""
    natural = [max(_text_width(line[i]) for line in cells) for i in range(len(cells[0]))]
    if sum(natural) <= width:
        return natural
    texts = sorted((i for i in range(len(natural)) if i not in numeric), key=lambda i: natural[i])
    room = width - sum(natural[i] for i in numeric)
    if not texts or room < 30 * len(texts):  # not even the numbers fit: shrink everything alike
        return [w * width / sum(natural) for w in natural]
    widths = list(natural)
    for n, i in enumerate(texts):  # narrowest first: each keeps its width while an equal share allows
        share = room / (len(texts) - n)
        widths[i] = min(natural[i], share)
        room -= widths[i]
        for line in cells[1:]:
            line[i] = _cut(line[i], widths[i])
    return widths


def _cut(value: str, width: float) -> str:
    if _text_width(value) <= width:
        return value
    while value and _text_width(value + "…") > width:
        value = value[:-1]
    return value + "…"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if _is_number(value):
        return f"{value:,f}" if isinstance(value, Decimal) else f"{value:,}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return text(value)


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""XLSX: one sheet per table, ready to read: a bold header row that stays in view, number formats
(thousands separators, as many decimal places as each amount carries, ISO dates), columns wide
enough for their contents, a filter on the header.

The same content gives the same bytes: the workbook's creation and modification dates are the
as-of date (not the clock's), and every entry of its zip archive carries the same fixed date.
(Excel keeps numbers as binary doubles, exact to 15 significant digits: any amount below ten
trillion dollars, to the cent.)
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from reports.content import ReportContent, Table
from reports.writers.values import text

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
HEADER_BORDER = Border(bottom=Side(style="thin", color="7F8FA6"))
MIN_WIDTH, MAX_WIDTH = 8, 60


def heading(column: str) -> str:
    """A column's name as a person reads it: ``node_code`` is ``Node code``."""
    return column.replace("_", " ").capitalize()


def write_xlsx(content: ReportContent) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in content.tables:
        _sheet(workbook, _sheet_title(table.title, used), table)
    props = workbook.properties
    props.title = f"{content.title}, as of {content.as_of.isoformat()}"
    props.creator = props.lastModifiedBy = "Lana"
    # No clock in the file: its dates are the day it describes.
    props.created = props.modified = datetime.combine(content.as_of, datetime.min.time())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()  # unlike save_workbook(), sets no modification time
    return _fixed_dates(buffer.getvalue())


def _sheet(workbook: Workbook, title: str, table: Table) -> None:
    sheet = workbook.create_sheet(title)
    widths = [len(heading(c)) for c in table.columns]
    for col, name in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=col, value=heading(name))
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, HEADER_BORDER
        cell.alignment = Alignment(vertical="center")
    for r, row in enumerate(table.rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=col, value=_cell_value(value))
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text from the warehouse is never a formula
            number_format = _number_format(value)
            if number_format:
                cell.number_format = number_format
            widths[col - 1] = max(widths[col - 1], _shown_length(value))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if table.columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # the warehouse's instants are UTC
    return value


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _number_format(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        places = _places(value)
        return "#,##0" + ("." + "0" * places if places else "")
    if isinstance(value, int):
        return "#,##0"
    if isinstance(value, datetime):
        return "yyyy-mm-dd hh:mm:ss"
    if isinstance(value, date):
        return "yyyy-mm-dd"
    return None


def _shown_length(value: Any) -> int:
    if isinstance(value, Decimal):
        return len(f"{value:,f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}")
    return len(text(value))


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of ``[]:*?/\\``, unique."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _fixed_dates(data: bytes) -> bytes:
    """The same archive with every entry dated ZIP_DATE (zipfile stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(entry.filename))
    return out.getvalue()

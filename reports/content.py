"""What a report holds once read from the warehouse: tables of rows and the charts drawn from them.

Writers turn this into files; nothing here knows about files or warehouses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Table:
    """One table of a report.

    title: its heading in a PDF and its sheet's name in an XLSX workbook; columns: the column
    names, in order (a regulatory report's are the elements of its XSD); rows: one tuple per
    row, a value per column, in the order they are written. A value is text, an integer, a
    ``Decimal`` (amounts in major units, with as many decimal places as their currency has:
    ``Decimal('12.30')`` dollars, ``Decimal('0.00150000')`` bitcoin), a date, a boolean or None
    (no value). Never a float."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def __post_init__(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"{self.title}: row {number} has {len(row)} values for {len(self.columns)} columns")

    def column(self, name: str) -> list[Any]:
        """Every row's value in one column."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


@dataclass(frozen=True)
class BarChart:
    """A bar chart a PDF shows before the tables.

    title: what it shows (with its unit); categories: one label per group of bars (a month, a
    chart node); series: (name, one value per category) for each kind of bar, drawn side by side
    in each group; horizontal: bars run left to right (for long category labels)."""

    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[Decimal, ...]], ...]
    horizontal: bool = False


@dataclass(frozen=True)
class ReportContent:
    """What one report holds for one as-of date.

    report_id: the core's definition id (``norm/name``); title: the report's name for people;
    as_of: the day it describes; period: the first and last day its movements cover, when it
    reports movements (a trial balance, a profit and loss), else None; tables: the first is the
    report's rows (what CSV and XML files hold), the others are summaries XLSX workbooks and
    PDF documents add; charts: what a PDF draws first."""

    report_id: str
    title: str
    as_of: date
    tables: tuple[Table, ...]
    charts: tuple[BarChart, ...] = field(default=())
    period: tuple[date, date] | None = None

    @property
    def rows(self) -> Table:
        """The report's rows: its first table."""
        return self.tables[0]

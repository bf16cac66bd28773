"""Regulatory reports: their marts (``dbt_project/models/marts/regulatory/``) hold the rows
exactly as the regulator wants them, one set per as-of date, with columns named as the XSD's
elements plus ``as_of_date``. A report is the rows of its date, without that column, in a
stable order (every column's value, left to right)."""

from __future__ import annotations

from datetime import date
from typing import Any

from lana_core.report.domain import ReportDefinition
from reports.content import ReportContent, Table
from reports.warehouse import Warehouse

AS_OF_COLUMN = "as_of_date"


def read_mart(definition: ReportDefinition, warehouse: Warehouse, as_of: date) -> ReportContent:
    found = warehouse.query(f"select * from {warehouse.relation(definition.source)} where as_of_date = @as_of",
                            {"as_of": as_of})
    keep = [i for i, column in enumerate(found.columns) if column != AS_OF_COLUMN]
    rows = sorted((tuple(row[i] for i in keep) for row in found.rows), key=_order)
    table = Table(definition.name, tuple(found.columns[i] for i in keep), tuple(rows))
    return ReportContent(definition.id, definition.name, as_of, (table,))


def _order(row: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    # Missing values last; a column's values share one type, so they compare with each other.
    return tuple((value is None, value if value is not None else 0) for value in row)

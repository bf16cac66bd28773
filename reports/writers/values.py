"""How a value reads as text in a CSV or XML file: exact, and the same on every machine."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any


def text(value: Any) -> str:
    """None: empty; booleans: ``true``/``false``; decimals: plain notation with every place they
    carry (``Decimal('12.50')`` is ``12.50``, never ``1.25E+1``); dates: ISO 8601. A float (a
    warehouse column typed FLOAT64 or DOUBLE) is written as the shortest decimal that reads back
    as the same float."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)

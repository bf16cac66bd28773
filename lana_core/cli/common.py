"""What the business commands share: parsing ids and amounts, and showing entities.

An entity is shown as JSON (its ``snapshot()`` with its ``id``; a list is a JSON array) or as a
table. Amounts stay integer minor units in JSON (with their ``unit``); tables format them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import UUID

from rich.table import Table
from rich.text import Text

from lana_core.cli.context import console, err_console, to_json
from lana_core.errors import InvalidInput
from lana_core.money import Currency, Money, format_minor


def parse_id(text: str, what: str = "id") -> UUID:
    """A UUID given on the command line; anything else is refused in one line."""
    try:
        return UUID(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a valid {what} (a UUID)") from None


def id_or_name(text: str) -> UUID | str:
    """A UUID when the text is one, else the text (an email or a name the service looks up)."""
    try:
        return UUID(text.strip())
    except ValueError:
        return text.strip()


def parse_usd(text: str) -> int:
    """A decimal amount in dollars ("1250.50") as integer cents."""
    return Money.parse(text, Currency.USD).amount


def usd(cents: int | None) -> str:
    return "" if cents is None else format_minor(cents, Currency.USD)


def say(message: str) -> None:
    """A message for the operator (stderr), printed as is (no markup)."""
    err_console.print(message, markup=False, highlight=False, soft_wrap=True)


def entity_json(entity: Any, **extra: Any) -> dict[str, Any]:
    """An entity as JSON: its snapshot, with its id."""
    return {"id": str(entity.id), **entity.snapshot(), **extra}


def print_json(data: Any) -> None:
    console.print_json(to_json(data))


def _cell(value: Any) -> Text:
    if value is None:
        return Text("")
    if isinstance(value, Text):
        return value
    if isinstance(value, Enum):
        return Text(str(value.value))
    return Text(str(value))


@dataclass(frozen=True)
class Column:
    """A table column: header, how to get the cell from a row, and whether it is a number."""

    header: str
    get: Callable[[Any], Any]
    numeric: bool = False


def print_table(title: str, columns: Sequence[Column], rows: Iterable[Any], *, empty: str = "none") -> None:
    rows = list(rows)
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column.header, justify="right" if column.numeric else "left",
                         no_wrap=column.numeric, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(column.get(row)) for column in columns))
    if not rows:
        table.caption = empty
    console.print(table)


def print_record(title: str, fields: Iterable[tuple[str, Any]]) -> None:
    """One thing as a two-column table of fields."""
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in fields:
        table.add_row(Text(name), _cell(value))
    console.print(table)


def show_list(fmt: str, items: Sequence[Any], title: str, columns: Sequence[Column],
              as_json: Callable[[Any], Any] = entity_json, *, empty: str = "none") -> None:
    if fmt == "json":
        print_json([as_json(item) for item in items])
    else:
        print_table(title, columns, items, empty=empty)


def show_one(fmt: str, item: Any, title: str, fields: Callable[[Any], Iterable[tuple[str, Any]]],
             as_json: Callable[[Any], Any] = entity_json) -> None:
    if fmt == "json":
        print_json(as_json(item))
    else:
        print_record(title, fields(item))


def when(value: Any) -> str:
    """A timestamp or date, short."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("T", " ")[:19]

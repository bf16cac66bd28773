"""Reading both sides of the extract-load: PostgreSQL tables and the raw layer's DuckDB tables,
as comparable Python values (timestamps in UTC, JSON parsed, uuids and dates as text)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import duckdb
import psycopg

from lana_core.warehouse.el import TABLES

Contents = dict[str, list[tuple]]


def _comparable(value: object) -> object:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    schema, name = table.split(".")
    return conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "ORDER BY ordinal_position", (schema, name)).fetchall()


def source_contents(url: str) -> Contents:
    """Every row of every extracted table, sorted, over the PostgreSQL columns."""
    contents = {}
    with psycopg.connect(url) as conn:
        for table in TABLES:
            names = ", ".join(name for name, _ in _columns(conn, table))
            rows = conn.execute(f"SELECT {names} FROM {table}").fetchall()
            contents[table] = sorted((tuple(_comparable(v) for v in row) for row in rows), key=repr)
    return contents


def warehouse_contents(warehouse: Path, url: str) -> Contents:
    """The same from the raw layer, over the same columns (those of the PostgreSQL table)."""
    with psycopg.connect(url) as conn:
        columns = {table: _columns(conn, table) for table in TABLES}
    contents = {}
    with open_warehouse(warehouse) as duck:
        for table, cols in columns.items():
            rows = duck.execute(f"SELECT {', '.join(n for n, _ in cols)} FROM {raw(table)}").fetchall()
            json_at = [i for i, (_, kind) in enumerate(cols) if kind in ("jsonb", "ARRAY")]
            parsed = []
            for row in rows:
                values = list(row)
                for i in json_at:
                    values[i] = None if values[i] is None else json.loads(values[i])
                parsed.append(tuple(values))
            contents[table] = sorted(parsed, key=repr)
    return contents


def open_warehouse(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The raw layer, read-only (the loader's older duckdb writes it; this one only reads)."""
    return duckdb.connect(str(warehouse / "raw.duckdb"), read_only=True)


def raw(table: str) -> str:
    """``ledger.entries`` -> ``raw.raw.ledger_entries`` (database raw, schema raw)."""
    return "raw.raw." + table.replace(".", "_")


# The figures both sides must agree on: row counts of every table, and the money per currency,
# as queries over a table-naming function (PostgreSQL's names, or the raw layer's).
def _figures(name) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        **{f"rows of {t}": f"SELECT 'all', count(*) FROM {name(t)}" for t in TABLES},
        "entries by currency": f"SELECT currency, sum(amount) FROM {name('ledger.entries')} GROUP BY 1",
        "settled debits by currency":
            f"SELECT currency, sum(settled_dr) FROM {name('ledger.balance_history')} GROUP BY 1",
        "settled credits by currency":
            f"SELECT currency, sum(settled_cr) FROM {name('ledger.balance_history')} GROUP BY 1",
    }


def source_figures(url: str) -> dict[str, dict[str, int]]:
    with psycopg.connect(url) as conn:
        return {figure: {k: int(v) for k, v in conn.execute(sql).fetchall()}
                for figure, sql in _figures(str).items()}


def warehouse_figures(warehouse: Path) -> dict[str, dict[str, int]]:
    with open_warehouse(warehouse) as duck:
        return {figure: {k: int(v) for k, v in duck.execute(sql).fetchall()}
                for figure, sql in _figures(raw).items()}

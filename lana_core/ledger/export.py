"""Exporting ledger entries to CSV for reconciliation with other tools.

One row per entry, amounts in integer minor units, in the order the ledger recorded them
(recorded time, then transaction id, then entry index: the same books give the same file). The
file is written next to its destination and renamed into place, so a failed export never
leaves a half-written file behind.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg

COLUMNS = (
    "transaction_id",
    "idempotency_key",
    "effective_date",
    "recorded_at",
    "account_id",
    "account_code",
    "account_name",
    "layer",
    "currency",
    "direction",
    "amount",
    "description",
)


def export_entries(
    conn: psycopg.Connection,
    output: Path,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the entries (optionally within an effective-date range) to ``output``; returns the count."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            # A named cursor streams rows from the server instead of loading them all.
            with conn.cursor(name="export_entries") as cur:
                cur.itersize = 5000
                cur.execute(
                    """
                    SELECT e.transaction_id, t.idempotency_key, e.effective_date,
                           to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                           e.account_id, a.code, a.name, e.layer, e.currency, e.direction, e.amount,
                           coalesce(e.description, t.description)
                      FROM ledger.entries e
                      JOIN ledger.transactions t ON t.id = e.transaction_id
                      JOIN ledger.accounts a ON a.id = e.account_id
                     WHERE (%(from)s::date IS NULL OR e.effective_date >= %(from)s)
                       AND (%(to)s::date IS NULL OR e.effective_date <= %(to)s)
                     ORDER BY e.recorded_at, e.transaction_id, e.entry_index
                    """,
                    {"from": date_from, "to": date_to},
                )
                for row in cur:
                    writer.writerow(row)
                    count += 1
                    if on_progress and count % 5000 == 0:
                        on_progress(count)
        if on_progress:
            on_progress(count)
        os.replace(tmp_name, output)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count

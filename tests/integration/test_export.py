"""Exporting entries to CSV for reconciliation."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from tests.sample_books import load_sample_books
from lana_core.ledger.export import COLUMNS, export_entries


def test_every_entry_is_exported_once_with_its_account_and_transaction(db, tmp_path):
    load_sample_books(db)
    out = tmp_path / "entries.csv"
    with db.unit_of_work() as uow:
        count = export_entries(uow.conn, out)
        stored = uow.conn.execute("SELECT count(*), sum(amount) FROM ledger.entries").fetchone()
    rows = list(csv.DictReader(out.open()))
    assert tuple(rows[0]) == COLUMNS
    assert count == len(rows) == stored[0]
    assert sum(int(r["amount"]) for r in rows) == stored[1]
    first = rows[0]
    assert first["idempotency_key"] == "demo:capital"
    assert first["effective_date"] == "2026-01-02"
    assert first["account_code"] == "BANK.CORRESPONDENT.FIRST"
    assert (first["layer"], first["currency"], first["direction"], first["amount"]) == (
        "settled", "USD", "debit", "250000000"
    )
    assert first["recorded_at"] == "2026-03-02T09:30:00.000000Z"
    debits = sum(int(r["amount"]) for r in rows if r["direction"] == "debit")
    assert debits * 2 == stored[1]


def test_a_date_range_limits_the_export(db, tmp_path):
    load_sample_books(db)
    out = tmp_path / "range.csv"
    with db.unit_of_work() as uow:
        count = export_entries(uow.conn, out, date_from=date(2026, 1, 5), date_to=date(2026, 1, 6))
    rows = list(csv.DictReader(out.open()))
    assert count == 4 and {r["effective_date"] for r in rows} == {"2026-01-05", "2026-01-06"}


def test_a_failed_export_leaves_no_file(db, tmp_path):
    out = tmp_path / "entries.csv"
    with db.unit_of_work() as uow:
        with pytest.raises(RuntimeError):
            export_entries(uow.conn, out, on_progress=lambda n: (_ for _ in ()).throw(RuntimeError("disk full")))
    assert list(tmp_path.iterdir()) == []

"""Commit-safe extraction (ARCHITECTURE, contract 2): a ledger transaction that is still open
while the extract-load runs, and commits after a later transaction was committed, is extracted
by the next run, exactly once."""

from __future__ import annotations

from lana_core.db import Database
from lana_core.ledger import Direction
from lana_core.warehouse import extract_load
from tests.integration.el_support import (
    open_warehouse,
    source_figures,
    warehouse_figures,
)
from tests.support import transfer


def entries_of(warehouse, transaction_id) -> int:
    with open_warehouse(warehouse) as duck:
        return duck.execute("SELECT count(*) FROM raw.raw.ledger_entries WHERE transaction_id = ?",
                            [str(transaction_id)]).fetchone()[0]


def test_a_transaction_committing_after_a_later_one_was_extracted_is_loaded_once_by_the_next_run(
        db: Database, database_url: str, warehouse):
    with db.unit_of_work() as uow:
        for code, side in (("VAULT", Direction.DEBIT), ("ALICE", Direction.CREDIT),
                           ("TILL", Direction.DEBIT), ("BOB", Direction.CREDIT)):
            uow.ledger.create_account(code, code.title(), side)
        uow.commit()
    # Separate accounts: the open transaction holds its balance rows locked.
    with db.unit_of_work() as late:
        late_tx = late.ledger.post_entries(transfer("VAULT", "ALICE", 500_00), description="late").id
        with db.unit_of_work() as early:
            early_tx = early.ledger.post_entries(transfer("TILL", "BOB", 700_00), description="early").id
            early.commit()
        writer = "SELECT DISTINCT xact_id FROM ledger.entries WHERE transaction_id = %s"
        late_xid, early_xid = (late.conn.execute(writer, (tx,)).fetchone()[0] for tx in (late_tx, early_tx))
        # The case a plain "xact_id > bookmark" misses: the later transaction committed first.
        assert late_xid < early_xid

        first = extract_load(database_url)
        # Nothing at or above the open transaction was read, committed or not.
        assert entries_of(warehouse, late_tx) == 0 and entries_of(warehouse, early_tx) == 0
        assert first.rows["ledger_accounts"] > 0
        late.commit()

    second = extract_load(database_url)
    assert entries_of(warehouse, late_tx) == 2 and entries_of(warehouse, early_tx) == 2
    assert second.rows["ledger_entries"] == 4
    assert warehouse_figures(warehouse) == source_figures(database_url)

    # A third run reads the last transaction again (the tap's >= bookmark) and overwrites it.
    extract_load(database_url)
    assert entries_of(warehouse, late_tx) == 2 and entries_of(warehouse, early_tx) == 2
    assert warehouse_figures(warehouse) == source_figures(database_url)

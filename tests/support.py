"""Small helpers shared by the tests."""

from __future__ import annotations

import psycopg

from lana_core.ledger import Direction, EntryLine, Layer
from lana_core.money import Currency

LEDGER_TABLES = (
    "ledger.journals",
    "ledger.accounts",
    "ledger.account_sets",
    "ledger.account_set_members",
    "ledger.transactions",
    "ledger.entries",
    "ledger.balances",
    "ledger.balance_history",
    "ledger.daily_activity",
)


def transfer(
    debit: str, credit: str, amount: int, currency: Currency = Currency.USD, layer: Layer = Layer.SETTLED
) -> list[EntryLine]:
    """The two lines moving ``amount`` from ``credit`` to ``debit``."""
    return [
        EntryLine(debit, Direction.DEBIT, amount, currency, layer),
        EntryLine(credit, Direction.CREDIT, amount, currency, layer),
    ]


def ledger_state(conn: psycopg.Connection) -> dict[str, object]:
    """Row counts of every ledger table plus the full balances table: equal before and after
    an operation means the operation left no trace."""
    state: dict[str, object] = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in LEDGER_TABLES
    }
    state["balances"] = conn.execute(
        "SELECT account_id, currency, settled_dr, settled_cr, pending_dr, pending_cr, encumbrance_dr, "
        "encumbrance_cr, version FROM ledger.balances ORDER BY 1, 2"
    ).fetchall()
    state["daily_activity"] = conn.execute("SELECT * FROM ledger.daily_activity ORDER BY 1, 2, 3").fetchall()
    return state

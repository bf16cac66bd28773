"""The ledger's invariants, checked against what is actually stored.

Each check is one query returning the rows that violate it (none when the books are sound):

- every entry belongs to a recorded transaction (same dates) and an account of its journal;
- every transaction balances per currency and layer, with at least two entries;
- every current balance equals the sum of its account's entries;
- every current balance equals the latest row of its append-only history, whose version
  counts the transactions that touched it, with no gaps;
- each history step moves by exactly that transaction's entries on the account;
- the per-day activity (used for as-of balances) equals the entries of that day.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

_SIDES = """
    sum(amount) FILTER (WHERE layer = 'settled' AND direction = 'debit') AS settled_dr,
    sum(amount) FILTER (WHERE layer = 'settled' AND direction = 'credit') AS settled_cr,
    sum(amount) FILTER (WHERE layer = 'pending' AND direction = 'debit') AS pending_dr,
    sum(amount) FILTER (WHERE layer = 'pending' AND direction = 'credit') AS pending_cr,
    sum(amount) FILTER (WHERE layer = 'encumbrance' AND direction = 'debit') AS encumbrance_dr,
    sum(amount) FILTER (WHERE layer = 'encumbrance' AND direction = 'credit') AS encumbrance_cr
"""
_TOTALS = ["settled_dr", "settled_cr", "pending_dr", "pending_cr", "encumbrance_dr", "encumbrance_cr"]


def _differs(left: str, right: str) -> str:
    return " OR ".join(f"coalesce({left}.{c}, 0) <> coalesce({right}.{c}, 0)" for c in _TOTALS)


CHECKS: dict[str, str] = {
    "entries belong to a recorded transaction and an existing account": """
        SELECT e.transaction_id, e.entry_index FROM ledger.entries e
          LEFT JOIN ledger.transactions t ON t.id = e.transaction_id
          LEFT JOIN ledger.accounts a ON a.id = e.account_id
         WHERE t.id IS NULL OR a.id IS NULL OR t.journal_id <> a.journal_id
            OR t.effective_date <> e.effective_date OR t.recorded_at <> e.recorded_at
    """,
    "transactions balance per currency and layer": """
        SELECT transaction_id, currency, layer,
               sum(CASE direction WHEN 'debit' THEN amount ELSE -amount END) AS excess
          FROM ledger.entries GROUP BY transaction_id, currency, layer
        HAVING sum(CASE direction WHEN 'debit' THEN amount ELSE -amount END) <> 0
    """,
    "transactions have at least two entries": """
        SELECT t.id, count(e.transaction_id) FROM ledger.transactions t
          LEFT JOIN ledger.entries e ON e.transaction_id = t.id
         GROUP BY t.id HAVING count(e.transaction_id) < 2
    """,
    "balances equal the sum of entries": f"""
        WITH sums AS (SELECT account_id, currency, {_SIDES} FROM ledger.entries GROUP BY 1, 2)
        SELECT coalesce(b.account_id, s.account_id), coalesce(b.currency, s.currency)
          FROM ledger.balances b FULL JOIN sums s USING (account_id, currency)
         WHERE {_differs('b', 's')}
    """,
    "balances equal their latest history version": f"""
        WITH latest AS (
            SELECT DISTINCT ON (account_id, currency) * FROM ledger.balance_history
             ORDER BY account_id, currency, version DESC),
        counts AS (SELECT account_id, currency, count(*) AS n FROM ledger.balance_history GROUP BY 1, 2)
        SELECT b.account_id, b.currency FROM ledger.balances b
          LEFT JOIN latest h USING (account_id, currency)
          LEFT JOIN counts c USING (account_id, currency)
         WHERE b.version <> coalesce(h.version, 0) OR b.version <> coalesce(c.n, 0)
            OR {_differs('b', 'h')}
    """,
    "history steps equal their transaction's entries": f"""
        WITH steps AS (
            SELECT h.*, lag(settled_dr, 1, 0::bigint) OVER w AS p_sdr, lag(settled_cr, 1, 0::bigint) OVER w AS p_scr,
                   lag(pending_dr, 1, 0::bigint) OVER w AS p_pdr, lag(pending_cr, 1, 0::bigint) OVER w AS p_pcr,
                   lag(encumbrance_dr, 1, 0::bigint) OVER w AS p_edr,
                   lag(encumbrance_cr, 1, 0::bigint) OVER w AS p_ecr
              FROM ledger.balance_history h
            WINDOW w AS (PARTITION BY account_id, currency ORDER BY version)),
        moved AS (
            SELECT transaction_id, account_id, currency, {_SIDES} FROM ledger.entries GROUP BY 1, 2, 3)
        SELECT s.account_id, s.currency, s.version FROM steps s
          LEFT JOIN moved m USING (transaction_id, account_id, currency)
         WHERE s.settled_dr - s.p_sdr <> coalesce(m.settled_dr, 0)
            OR s.settled_cr - s.p_scr <> coalesce(m.settled_cr, 0)
            OR s.pending_dr - s.p_pdr <> coalesce(m.pending_dr, 0)
            OR s.pending_cr - s.p_pcr <> coalesce(m.pending_cr, 0)
            OR s.encumbrance_dr - s.p_edr <> coalesce(m.encumbrance_dr, 0)
            OR s.encumbrance_cr - s.p_ecr <> coalesce(m.encumbrance_cr, 0)
    """,
    "daily activity equals the entries of each day": f"""
        WITH sums AS (
            SELECT account_id, currency, effective_date, {_SIDES} FROM ledger.entries GROUP BY 1, 2, 3)
        SELECT coalesce(d.account_id, s.account_id), coalesce(d.effective_date, s.effective_date)
          FROM ledger.daily_activity d FULL JOIN sums s USING (account_id, currency, effective_date)
         WHERE {_differs('d', 's')}
    """,
}


@dataclass(frozen=True)
class Violation:
    check: str
    examples: list[tuple]  # up to five offending rows
    count: int

    def __str__(self) -> str:
        return f"{self.check}: {self.count} violation(s), e.g. {self.examples[:2]}"


def check_ledger(conn: psycopg.Connection) -> list[Violation]:
    """Run every check; an empty list means the invariants hold."""
    violations = []
    for name, query in CHECKS.items():
        rows = conn.execute(query).fetchall()
        if rows:
            violations.append(Violation(name, rows[:5], len(rows)))
    return violations

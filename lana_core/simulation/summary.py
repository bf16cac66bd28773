"""What a (simulated) bank holds, in numbers: entities by status, ledger volume, key totals.

Read straight from the database, so it describes any bank, simulated or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lana_core.db import UnitOfWork
from lana_core.ledger.invariants import check_ledger
from lana_core.money import Currency


@dataclass
class Summary:
    """counts: per entity kind, how many are in each status; reached: per facility and
    obligation, every status or collateralization state ever recorded; ledger: transactions
    and entries; totals: balances of chart nodes, in cents (deposits, loans, interest income,
    fee income, collateral in sats); invariant_violations: names of ledger checks that failed."""

    simulated_through: date | None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    reached: dict[str, list[str]] = field(default_factory=dict)
    ledger: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    invariant_violations: list[str] = field(default_factory=list)


COUNTED = {
    "customers": ("customer", "status"),
    "kyc": ("customer", "kyc_status"),
    "deposit accounts": ("deposit_account", "status"),
    "deposits": ("deposit", "status"),
    "withdrawals": ("withdrawal", "status"),
    "facilities": ("credit_facility", "status"),
    "collateralization": ("credit_facility", "state"),
    "disbursals": ("credit_disbursal", "status"),
    "obligations": ("credit_obligation", "status"),
    "liquidations": ("credit_liquidation", "status"),
    "approvals": ("approval_process", "status"),
}
# Chart nodes and what the summary calls them (balances on their normal side).
TOTALS = {
    "customer deposits": ("21", Currency.USD),
    "loans (principal)": ("12", Currency.USD),
    "interest receivable": ("13", Currency.USD),
    "interest income": ("41", Currency.USD),
    "fee income": ("42", Currency.USD),
    "collateral held (sats)": ("72", Currency.BTC),
}


def summarize(uow: UnitOfWork) -> Summary:
    conn = uow.conn
    row = conn.execute("SELECT simulated_through FROM simulation.runs WHERE id = 1").fetchone()
    summary = Summary(row[0] if row else None)
    for name, (stream_type, attribute) in COUNTED.items():
        rows = conn.execute(
            "SELECT coalesce(state->>%s, '-'), count(*) FROM core.entities WHERE stream_type = %s GROUP BY 1 ORDER BY 1",
            (attribute, stream_type),
        ).fetchall()
        summary.counts[name] = {status: count for status, count in rows}
    summary.reached["obligation statuses"] = sorted({"not_yet_due"} | {r[0] for r in conn.execute(
        "SELECT DISTINCT payload->>'status' FROM core.events WHERE event_type = 'ObligationStatusChanged'")})
    summary.reached["collateralization states"] = sorted({r[0] for r in conn.execute(
        "SELECT DISTINCT payload->>'state' FROM core.events WHERE event_type = 'CollateralizationChanged' "
        "UNION SELECT state->>'state' FROM core.entities WHERE stream_type = 'credit_facility'")})
    summary.reached["facility statuses"] = sorted({r[0] for r in conn.execute(
        "SELECT DISTINCT state->>'status' FROM core.entities WHERE stream_type = 'credit_facility'")})
    summary.ledger = dict(zip(("transactions", "entries"), conn.execute(
        "SELECT (SELECT count(*) FROM ledger.transactions), (SELECT count(*) FROM ledger.entries)").fetchone()))
    for name, (code, currency) in TOTALS.items():
        found = uow.ledger.find_account_set(code)
        summary.totals[name] = uow.ledger.balance(found.id, currency).amount() if found else 0
    summary.invariant_violations = [v.name for v in check_ledger(conn)]
    return summary

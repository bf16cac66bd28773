"""Periodic jobs: plain functions the CLI, Dagster and the simulator call.

``end_of_day(day)`` runs, for a day that has ended: the price fetch, credit (interest accrual and
billing, obligations ageing, maturities), customer activity classification, then the outbox
consumers so what those published takes effect. Each part is idempotent and resumable: run it
twice for a day and the second run changes nothing; a run that failed midway picks up where it
stopped. Every run is logged in ``core.job_runs``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from lana_core.credit.end_of_day import CreditDayReport, CreditEndOfDay
from lana_core.errors import InvalidInput, LanaError

if TYPE_CHECKING:
    from lana_core.app import Lana


@dataclass
class EndOfDayReport:
    """price: the fetch's outcome (or why it failed); credit: what credit did; activity: how
    many customers moved to each activity class; consumers: messages processed per consumer."""

    day: date
    price: str
    credit: CreditDayReport
    activity: dict[str, int]
    consumers: dict[str, int] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        return self.credit.failures + ([self.price] if self.price.startswith("failed") else [])


def price_fetch(app: Lana) -> str:
    """Fetch and publish the price; returns what happened, in one line."""
    started = app.clock.now()
    try:
        price = app.prices.fetch()
        outcome, summary = "completed", {"price": str(price)}
    except LanaError as exc:
        outcome, summary = "failed", {"error": str(exc)}
    _log(app, "price-fetch", None, started, outcome, summary)
    return f"failed: {summary['error']}" if outcome == "failed" else f"published {summary['price']}"


def end_of_day(app: Lana, day: date, *, fetch_price: bool = True) -> EndOfDayReport:
    """Close ``day``, which must have ended (interest for a day accrues once, when it is over)."""
    if day >= app.clock.today():
        raise InvalidInput(f"{day} has not ended yet (today is {app.clock.today()})")
    started = app.clock.now()
    price = price_fetch(app) if fetch_price else "skipped"
    app.run_consumers()  # let the new price reach the facilities before they are processed
    credit = CreditEndOfDay(app.credit).run(day)
    activity = app.customers.classify_activity(day)
    consumers = {run.consumer: run.processed for run in app.run_consumers()}
    report = EndOfDayReport(day, price, credit, activity, consumers)
    outcome = "completed_with_failures" if report.failures else "completed"
    _log(app, "end-of-day", day, started, outcome, {
        "price": price, "credit": asdict(credit), "activity": activity, "consumers": consumers,
    })
    return report


def _log(app: Lana, job: str, day: date | None, started: Any, outcome: str, summary: dict[str, Any]) -> None:
    with app.db.unit_of_work() as uow:
        uow.conn.execute(
            "INSERT INTO core.job_runs (job, day, started_at, finished_at, outcome, summary) "
            "VALUES (%s, %s, %s, %s, %s, %s::jsonb)",
            (job, day, started, app.clock.now(), outcome, json.dumps(summary, default=str)),
        )
        uow.commit()

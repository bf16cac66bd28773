"""The demo bank: a year of a simulated bank, always the same one.

``lana demo`` (the README's main job) simulates it into the configured database: 150 customers
of every type from July 2025, through the real services, a year long. Running it again changes
nothing: the bank is already there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from lana_core.simulation import Spec, open_simulation
from lana_core.simulation.engine import SUPERUSER, add_months
from lana_core.simulation.summary import Summary, summarize

DEMO = Spec(seed=2026, customers=150, start_date=date(2025, 7, 1))
MONTHS = 12

__all__ = ["DEMO", "MONTHS", "SUPERUSER", "DemoResult", "run_demo"]


@dataclass(frozen=True)
class DemoResult:
    """first / last: the days simulated by this run (first > last: none, the bank was there);
    summary: the bank as it stands."""

    first: date
    last: date
    summary: Summary

    @property
    def simulated_days(self) -> int:
        return max(0, (self.last - self.first).days + 1)


def run_demo(url: str, *, spec: Spec = DEMO, months: int = MONTHS,
             on_day: Callable[[date, int, int], None] | None = None) -> DemoResult:
    """Simulate the demo bank up to its last day; ``on_day(day, done, total)`` after each day."""
    app, sim = open_simulation(url, spec)
    try:
        first = sim.prepare()
        last = add_months(spec.start_date, months) - timedelta(days=1)
        total = max(0, (last - first).days + 1)
        if on_day is not None:
            sim.on_day = lambda day, _: on_day(day, (day - first).days + 1, total)
        if total:
            sim.simulate(first, last)
        with app.db.unit_of_work() as uow:
            return DemoResult(first, last, summarize(uow))
    finally:
        app.db.close()

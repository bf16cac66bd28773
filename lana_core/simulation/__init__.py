"""The deterministic simulator: a bank's history, day by day, through the real services.

``open_simulation(url, spec)`` gives the application wired for it (a FixedClock, seeded ids,
asynchronous commits); ``Simulation(...).run(months)`` simulates; ``summarize`` reports.
"""

from __future__ import annotations

from datetime import datetime, time, timezone

from lana_core.app import AppConfig, Lana
from lana_core.clock import FixedClock
from lana_core.db import Database
from lana_core.ids import SeededIds
from lana_core.simulation.engine import KYC_SECRET, Simulation, Spec

# The simulator's own connections commit without waiting for the disk: a crash could lose the
# last moments of a run (it is continued from the last day recorded), never their consistency.
SESSION = {"synchronous_commit": "off"}


def open_simulation(url: str, spec: Spec, *, document_folder: str | None = None) -> tuple[Lana, Simulation]:
    """The application over ``url`` on the simulation's clock and ids, and its Simulation."""
    clock = FixedClock(datetime.combine(spec.start_date, time(0, 0), tzinfo=timezone.utc))
    ids = SeededIds(clock, f"lana-sim:{spec.seed}:setup")
    db = Database(url, clock=clock, ids=ids, session=SESSION, max_connections=2)
    app = Lana(db, AppConfig(inline_consumers=True, kyc_webhook_secret=KYC_SECRET, document_folder=document_folder))
    return app, Simulation(app, clock, ids, spec)


__all__ = ["Simulation", "Spec", "open_simulation"]

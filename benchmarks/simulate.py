"""The simulator's speed: simulated days and ledger entries per second, against a baseline of
deposit operations measured in the same run.

    uv run python benchmarks/simulate.py [--customers 1000] [--months 12] [--quick]

Runs on the durable benchmark server (see ledger_posting.py; the simulator's own sessions commit
asynchronously, as ``lana simulate`` does). The issue's target: 1,000 customers for 12 months in
under 5 minutes, writing at least 100,000 ledger entries. The baseline: 500 deposits through
``record_deposit`` (permission check, events, posting, audit), before and after the simulation,
in a database of their own; compare the ratios, the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_posting import fresh_database, server_url  # noqa: E402

from lana_core.app import AppConfig, Lana  # noqa: E402
from lana_core.customer.domain import CustomerType, PersonalInfo  # noqa: E402
from lana_core.db import Database  # noqa: E402
from lana_core.setup import setup  # noqa: E402
from lana_core.simulation import SESSION, Spec, open_simulation  # noqa: E402
from lana_core.simulation.summary import summarize  # noqa: E402

START = date(2025, 7, 1)


def deposits_per_second(url: str, n: int = 500) -> float:
    """``n`` deposits through the service, on a database of their own, as the simulator's
    sessions commit (asynchronously)."""
    with Database(url, session=SESSION) as db:
        app = Lana(db, AppConfig())
        setup(app, "bench@bank.example")
        root = app.actor("bench@bank.example")
        customer = app.customers.create(root, f"baseline{time.monotonic_ns()}@example.com", CustomerType.INDIVIDUAL,
                                        PersonalInfo(first_name="Base", last_name="Line"))
        account = app.deposits.open_account(root, customer.id)
        started = time.perf_counter()
        for _ in range(n):
            app.deposits.record_deposit(root, account.id, 1_00)
        return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help="100 customers for 2 months (a smoke run)")
    args = parser.parse_args()
    customers, months = (100, 2) if args.quick else (args.customers, args.months)

    admin = server_url()
    baseline_url = fresh_database(admin)
    before = deposits_per_second(baseline_url)
    url = fresh_database(admin)  # replaces the baseline's database: same name
    app, sim = open_simulation(url, Spec(seed=2026, customers=customers, start_date=START))
    marks: list[tuple[date, float]] = []
    started = time.perf_counter()
    sim.on_day = lambda day, _: marks.append((day, time.perf_counter()))
    first, last = sim.run(months)
    seconds = time.perf_counter() - started
    with app.db.unit_of_work() as uow:
        summary = summarize(uow)
    app.db.close()
    after = deposits_per_second(fresh_database(admin))

    days = (last - first).days + 1
    entries = summary.ledger["entries"]
    baseline = statistics.mean([before, after])
    per_day = [b - a for (_, a), (_, b) in zip(marks, marks[1:])]
    quarter = max(1, len(per_day) // 4)
    print(f"\nsimulation: seed 2026, {customers} customers, {months} months ({first} to {last})")
    print(f"  wall time                         {seconds:9.1f} s   (target for 1,000 x 12: < 300 s)")
    print(f"  simulated days per second         {days / seconds:9.2f}")
    print(f"  ledger entries                    {entries:9,}   (target: >= 100,000)")
    print(f"  ledger entries per second         {entries / seconds:9.0f}")
    print(f"  a day, first quarter / last       {statistics.mean(per_day[:quarter]):9.2f} s / "
          f"{statistics.mean(per_day[-quarter:]):.2f} s")
    print(f"  baseline: deposits per second     {baseline:9.0f}   (before {before:.0f}, after {after:.0f})")
    print(f"  entries per second / deposits/s   {entries / seconds / baseline:9.2f} x")
    print(f"  invariants                        {'hold' if not summary.invariant_violations else 'BROKEN'}")


if __name__ == "__main__":
    main()

"""The end-of-day job's cost per facility, against a business operation measured in the same run.

    uv run python benchmarks/end_of_day.py [--facilities N] [--quick]

Runs on the durable benchmark server (see ledger_posting.py). Sets a bank up with N active
facilities (one per customer, daily accrual, monthly cycles), then alternates, day after day:

- baseline: N deposits through ``record_deposit`` (permission check, events, ledger posting,
  audit, commit): what one ordinary business operation costs on this server right now.
- end of day: ``jobs.end_of_day`` for that day: per facility one transaction that loads it,
  accrues a day of interest (a ledger posting and an event), ages its obligations and
  re-evaluates it; then customer activity and the outbox consumers.

The last day closed is a month end, where every facility also bills its cycle (a second
posting, an obligation, a new cycle). Figures: facility-days per second and the ratio of one
facility's end of day to one deposit (medians over rounds). Compare the ratios, not the rates.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, datetime, time as clock_time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_posting import fresh_database, server_url  # noqa: E402

from lana_core.app import AppConfig, Lana  # noqa: E402
from lana_core.clock import FixedClock  # noqa: E402
from lana_core.credit.terms import DisbursalPolicy, Interval, TermValues  # noqa: E402
from lana_core.customer.domain import CustomerType, PersonalInfo  # noqa: E402
from lana_core.db import Database  # noqa: E402
from lana_core.jobs import end_of_day  # noqa: E402
from lana_core.setup import setup  # noqa: E402

TERMS = TermValues(Decimal(12), 12, Interval.END_OF_DAY, Interval.END_OF_MONTH, Decimal(1), Decimal(140),
                   Decimal(125), Decimal(105), DisbursalPolicy.SINGLE, 50, 60, 90)
FIRST_DAY = date(2026, 1, 5)  # activation; the rounds close the days after it, the last one Jan 31


def morning(clock: FixedClock, day: date) -> None:
    clock.set(datetime.combine(day, clock_time(0, 5), tzinfo=timezone.utc))


def build_bank(url: str, facilities: int, clock: FixedClock) -> tuple[Lana, list]:
    app = Lana(Database(url, clock=clock), AppConfig(inline_consumers=True))
    setup(app, "bench@bank.example")
    root = app.actor("bench@bank.example")
    app.prices.deactivate_provider(root, "bitfinex")
    app.prices.set_manual_price(root, "manual", 60_000_00)
    app.prices.activate_provider(root, "manual")
    app.prices.fetch()
    accounts = []
    for i in range(facilities):
        customer = app.customers.create(root, f"borrower{i}@example.com", CustomerType.INDIVIDUAL,
                                        PersonalInfo(first_name="Borrower", last_name=str(i)))
        account = app.deposits.open_account(root, customer.id)
        facility = app.credit.propose(root, customer.id, 10_000_00, terms=TERMS)
        app.credit.record_customer_decision(root, facility.id, accepted=True)
        app.credit.update_collateral(root, facility.id, 25_000_000)
        accounts.append(account.id)
    return app, accounts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facilities", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="fewer facilities and rounds (a smoke run)")
    args = parser.parse_args()
    facilities = 20 if args.quick else args.facilities
    rounds = 3 if args.quick else 7

    url = fresh_database(server_url())
    clock = FixedClock(datetime.combine(FIRST_DAY, clock_time(10), tzinfo=timezone.utc))
    print(f"setting up {facilities} active facilities ...", file=sys.stderr)
    app, accounts = build_bank(url, facilities, clock)
    root = app.actor("bench@bank.example")

    days = [date(2026, 1, 31) - timedelta(days=rounds - i) for i in range(rounds)] + [date(2026, 1, 31)]
    catch_up = days[0] - timedelta(days=1)  # close the days before the measured ones at once
    morning(clock, catch_up + timedelta(days=1))
    end_of_day(app, catch_up, fetch_price=False)

    ratios, eod_rates, deposit_ms = [], [], []
    for i, day in enumerate(days):
        morning(clock, day + timedelta(days=1))
        start = time.perf_counter()
        for account in accounts:
            app.deposits.record_deposit(root, account, 1_00)
        baseline = (time.perf_counter() - start) / len(accounts)
        start = time.perf_counter()
        report = end_of_day(app, day, fetch_price=False)
        per_facility = (time.perf_counter() - start) / facilities
        assert report.failures == [] and report.credit.facilities == facilities, report
        label = "month end" if day.day == 31 else "ordinary"
        print(f"{day} ({label}): deposit {baseline * 1000:.1f} ms, end of day {per_facility * 1000:.1f} ms "
              f"per facility ({report.credit.accruals} accruals, {report.credit.cycles_completed} cycles billed)",
              file=sys.stderr)
        if day.day != 31:
            ratios.append(per_facility / baseline)
            eod_rates.append(1 / per_facility)
            deposit_ms.append(baseline * 1000)
        else:
            month_end_ratio = per_facility / baseline
    print(f"\nend of day, {facilities} facilities, {len(ratios)} ordinary days (medians):")
    print(f"  facility-days per second        {statistics.median(eod_rates):8.1f}")
    print(f"  one deposit (baseline)          {statistics.median(deposit_ms):8.1f} ms")
    print(f"  one facility's day / a deposit  {statistics.median(ratios):8.2f} x")
    print(f"  at month end (cycle billed)     {month_end_ratio:8.2f} x a deposit")
    app.db.close()


if __name__ == "__main__":
    main()

"""``lana simulate``: a bank's history in minutes, through the real services, from a seed."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

import click

from lana_core.cli.common import print_json
from lana_core.cli.context import AppContext, console, err_console
from lana_core.cli.options import DATE, format_option

DEFAULT_SEED, DEFAULT_CUSTOMERS, DEFAULT_START = 2026, 100, date(2025, 7, 1)


@click.command("simulate")
@click.option("--seed", type=int, help=f"Picks the bank's history (default {DEFAULT_SEED}, or the one simulated).")
@click.option("--customers", type=click.IntRange(1, 100_000),
              help=f"How many customers (default {DEFAULT_CUSTOMERS}, or the simulated bank's).")
@click.option("--months", type=click.IntRange(1, 120), default=12, show_default=True,
              help="How many months to simulate (more months of an existing simulation: it goes on).")
@click.option("--start-date", type=DATE, help=f"The first day (default {DEFAULT_START}, or the simulated bank's).")
@format_option
@click.pass_obj
def simulate(app: AppContext, seed: int | None, customers: int | None, months: int, start_date: date | None,
             fmt: str) -> None:
    """Simulate a bank day by day: customers of every type onboarding through KYC, deposits,
    withdrawals (approved, denied, cancelled), reversals, freezes and closures; credit facilities
    with varied terms paid on time, late, partly or never; a bitcoin price with calm stretches and
    crashes, margin calls and liquidations; the books closed month by month and year by year.

    Every operation goes through the services operators use (RBAC and audit included) on a
    simulated clock, with the end-of-day job each night. The same arguments give the same bank,
    entry for entry. Into an empty database it starts a bank; on a simulated one it goes on."""
    from lana_core.db import resolve_database_url
    from lana_core.db.migrate import migrate
    from lana_core.simulation import Spec, open_simulation
    from lana_core.simulation.engine import add_months
    from lana_core.simulation.summary import summarize

    url = resolve_database_url()
    migrate(url)
    stored = _stored(url)
    spec = Spec(
        seed if seed is not None else stored.get("seed", DEFAULT_SEED),
        customers if customers is not None else stored.get("customers", DEFAULT_CUSTOMERS),
        start_date if start_date is not None else stored.get("start_date", DEFAULT_START),
    )
    lana, sim = open_simulation(url, spec)
    try:
        with err_console.status("opening the bank"):
            first = sim.prepare()
        last = add_months(first, months) - timedelta(days=1)
        total = (last - first).days + 1
        with _progress() as progress:
            task = progress.add_task(f"simulating {first} to {last}", total=total)
            sim.on_day = lambda day, _: progress.update(task, advance=1, description=f"simulated {day}")
            sim.simulate(first, last)
        with lana.db.unit_of_work() as uow:
            summary = summarize(uow)
    finally:
        lana.db.close()
    if fmt == "json":
        print_json(asdict(summary))
        return
    print_summary(summary, spec)


def _stored(url: str) -> dict:  # type: ignore[type-arg]
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT seed, customers, start_date FROM simulation.runs WHERE id = 1").fetchone()
    return dict(zip(("seed", "customers", "start_date"), row)) if row else {}


def _progress():  # type: ignore[no-untyped-def]
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
                    TimeElapsedColumn(), console=err_console, transient=False)


def print_summary(summary, spec) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    from lana_core.money import Currency, format_minor

    console.print(f"Simulated bank (seed {spec.seed}, {spec.customers} customers, from {spec.start_date} "
                  f"through {summary.simulated_through})", style="bold")
    table = Table(show_header=False, box=None)
    for name, counts in summary.counts.items():
        table.add_row(name, ", ".join(f"{status} {n:,}" for status, n in counts.items()) or "none")
    table.add_row("ledger", f"{summary.ledger['transactions']:,} transactions, {summary.ledger['entries']:,} entries")
    for name, amount in summary.totals.items():
        currency = Currency.BTC if "sats" in name else Currency.USD
        table.add_row(name.replace(" (sats)", ""), f"{format_minor(amount, currency)} {currency.value}")
    table.add_row("ledger invariants", "hold" if not summary.invariant_violations
                  else "BROKEN: " + ", ".join(summary.invariant_violations))
    console.print(table)

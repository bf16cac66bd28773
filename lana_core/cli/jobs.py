"""``lana jobs``: the periodic jobs, run by hand (Dagster schedules them in production)."""

from __future__ import annotations

from datetime import date, timedelta

import click

from lana_core.cli.common import Column, print_json, say, show_list, when
from lana_core.cli.context import AppContext, err_console
from lana_core.cli.options import DATE, format_option
from lana_core.errors import LanaError


@click.group()
def jobs() -> None:
    """Periodic jobs: end of day, price fetch."""


@jobs.group("run")
def run() -> None:
    """Run a job now."""


@run.command("end-of-day")
@click.option("--date", "day", type=DATE, help="The day that has ended (default: yesterday).")
@click.option("--no-price", is_flag=True, help="Do not fetch a price first.")
@format_option
@click.pass_obj
def end_of_day(app: AppContext, day: date | None, no_price: bool, fmt: str) -> None:
    """Interest accrual and billing, obligation ageing, maturities, customer activity. Safe to
    run again for the same day: the second run changes nothing."""
    from lana_core.jobs import end_of_day as run_end_of_day

    lana = app.lana()
    day = day or lana.clock.today() - timedelta(days=1)
    with err_console.status(f"end of day {day}"):
        report = run_end_of_day(lana, day, fetch_price=not no_price)
    if fmt == "json":
        from dataclasses import asdict

        print_json(asdict(report) | {"failures": report.failures})
    else:
        c = report.credit
        say(f"end of day {day}: price {report.price}; {c.facilities} facilities: {c.accruals} accruals, "
            f"{c.cycles_completed} cycles billed, {c.obligation_changes} obligation changes, {c.matured} matured; "
            f"customer activity changes: {report.activity or 'none'}")
    if report.failures:
        raise LanaError(f"{len(report.failures)} failure(s), left for the next run: " + "; ".join(report.failures))


@run.command("price-fetch")
@click.pass_obj
def price_fetch(app: AppContext) -> None:
    """Fetch the price from the active providers and publish the median."""
    from lana_core.jobs import price_fetch as run_price_fetch

    outcome = run_price_fetch(app.lana())
    if outcome.startswith("failed"):
        raise LanaError(f"price fetch {outcome}")
    say(f"price {outcome}")


@jobs.command("runs")
@click.option("--limit", default=20, show_default=True)
@format_option
@click.pass_obj
def runs(app: AppContext, limit: int, fmt: str) -> None:
    """The last job runs and their outcome."""
    with app.database().unit_of_work() as uow:
        rows = uow.conn.execute(
            "SELECT job, day, started_at, finished_at, outcome, summary FROM core.job_runs ORDER BY id DESC LIMIT %s",
            (limit,),
        ).fetchall()
    items = [dict(zip(("job", "day", "started_at", "finished_at", "outcome", "summary"), row)) for row in rows]
    show_list(fmt, items, "Job runs", [
        Column("Job", lambda r: r["job"]), Column("Day", lambda r: r["day"]), Column("Started", lambda r: when(r["started_at"])),
        Column("Outcome", lambda r: r["outcome"]),
    ], as_json=lambda r: r)

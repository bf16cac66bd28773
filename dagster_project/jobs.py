"""The jobs: the core's periodic jobs (ops calling ``lana_core.jobs``) and the asset jobs of the
data platform.

- ``end_of_day``: closes a day in the core (price, interest accrual and billing, obligation
  ageing, maturities, customer activity). Idempotent: a second run for a day changes nothing.
- ``price_fetch``: quotes the active price providers and publishes the median.
- ``warehouse``: the extract-load and every dbt model, with their checks.
- ``daily_reports`` / ``month_end_reports``: the warehouse refreshed, then the reports of one
  as-of date (a partition), so a failing blocking check stops the reports in the same run.
- ``report_runs``: any report assets alone, for the runs operators request in the core.

Every job that reads or writes the DuckDB warehouse carries the tag ``lana/warehouse``; the
instance's run queue (``dagster.yaml``) runs one such job at a time, since a DuckDB file admits
one writing process and no reader while it writes.
"""

from datetime import date, timedelta

from dagster import (
    AssetSelection,
    Config,
    Failure,
    OpExecutionContext,
    define_asset_job,
    job,
    op,
)

from dagster_project.assets.dbt import dbt_models
from dagster_project.assets.raw import raw_tables
from dagster_project.assets.reports import report_key
from dagster_project.resources import LanaCore
from lana_core.jobs import end_of_day, price_fetch
from lana_core.report.domain import definitions

WAREHOUSE_TAG = {"lana/warehouse": "1"}
# The regulator's monthly returns, produced as of each month's last day; the other reports
# (finance statements, net risk, UIF-07's daily journal of large transactions) every day.
MONTH_END_NORMS = ("nrp_91", "nrp_92", "nrp_28")

WAREHOUSE = AssetSelection.assets(raw_tables, dbt_models)
DAILY_REPORTS = AssetSelection.assets(*(report_key(d.id) for d in definitions().values()
                                        if d.norm not in MONTH_END_NORMS))
MONTH_END_REPORTS = AssetSelection.assets(*(report_key(d.id) for d in definitions().values()
                                            if d.norm in MONTH_END_NORMS))


class EndOfDayConfig(Config):
    """day: the day to close, YYYY-MM-DD (unset: yesterday by the core's clock); fetch_price:
    fetch a price first."""

    day: str | None = None
    fetch_price: bool = True


@op
def close_day(context: OpExecutionContext, config: EndOfDayConfig, core: LanaCore) -> None:
    """The core's end of day for one day that has ended; fails when some facility could not be
    processed (left for the next run, which catches up)."""
    with core.app() as app:
        day = date.fromisoformat(config.day) if config.day else app.clock.today() - timedelta(days=1)
        report = end_of_day(app, day, fetch_price=config.fetch_price)
    c = report.credit
    context.log.info(f"end of day {day}: price {report.price}; {c.facilities} facilities, {c.accruals} accruals, "
                     f"{c.cycles_completed} cycles billed, {c.obligation_changes} obligation changes, "
                     f"{c.matured} matured; activity changes {report.activity or 'none'}")
    if report.failures:
        raise Failure(description=f"end of day {day}: {len(report.failures)} failure(s), left for the next run: "
                                  + "; ".join(report.failures))


@job(name="end_of_day",
     description="The core's end of day: accrual and billing, ageing, maturities, customer activity.")
def end_of_day_job() -> None:
    close_day()


@op
def fetch_price(context: OpExecutionContext, core: LanaCore) -> None:
    """Fetch the bitcoin price from the active providers and publish the median."""
    with core.app() as app:
        outcome = price_fetch(app)
    if outcome.startswith("failed"):
        raise Failure(description=f"price fetch {outcome}")
    context.log.info(f"price {outcome}")


@job(name="price_fetch", description="Fetch and publish the bitcoin price (every facility's CVL is re-valued on it).")
def price_fetch_job() -> None:
    fetch_price()


warehouse_job = define_asset_job(
    "warehouse", selection=WAREHOUSE, tags=WAREHOUSE_TAG,
    description="Extract-load the core's tables, then build and test every dbt model.")

daily_reports_job = define_asset_job(
    "daily_reports", selection=WAREHOUSE | DAILY_REPORTS, tags=WAREHOUSE_TAG,
    description="The warehouse refreshed and checked, then the daily reports as of the partition's date.")

month_end_reports_job = define_asset_job(
    "month_end_reports", selection=WAREHOUSE | MONTH_END_REPORTS, tags=WAREHOUSE_TAG,
    description="The warehouse refreshed and checked, then the regulator's monthly reports as of a month end.")

report_runs_job = define_asset_job(
    "report_runs", selection=DAILY_REPORTS | MONTH_END_REPORTS, tags=WAREHOUSE_TAG,
    description="Report runs requested in the core, carried out on the warehouse as it is.")

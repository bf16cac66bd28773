"""Everything Dagster runs, assembled (what each part means is in its own module)."""

from dagster import Definitions, in_process_executor

from dagster_project.assets.dbt import dbt_models, dbt_resource
from dagster_project.assets.raw import raw_tables
from dagster_project.assets.reports import report_assets
from dagster_project.checks.quality import gates
from dagster_project.jobs import (
    daily_reports_job,
    end_of_day_job,
    month_end_reports_job,
    price_fetch_job,
    report_runs_job,
    warehouse_job,
)
from dagster_project.resources import LanaCore, ReportFiles, Warehouse
from dagster_project.schedules import SCHEDULES
from dagster_project.sensors import SENSORS

RESOURCES = {"core": LanaCore(), "warehouse": Warehouse(), "files": ReportFiles(), "dbt": dbt_resource()}
CHECKS = gates()
# The reports are gated by the blocking checks on their marts: dbt's tests and the GX gates.
ASSETS = [raw_tables, dbt_models, *report_assets([dbt_models, *CHECKS])]

defs = Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[end_of_day_job, price_fetch_job, warehouse_job, daily_reports_job, month_end_reports_job, report_runs_job],
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources=RESOURCES,
    # One process per run: the steps run one after the other anyway (EL, gate, dbt, gates, then
    # reports of a second or less each), and a process per step would load these definitions
    # again, about ten seconds each (Great Expectations alone takes most of it).
    executor=in_process_executor,
)

"""When the jobs run (cron, UTC). Every schedule starts STOPPED, as in Lana, unless the
environment says otherwise: ``LANA_DAGSTER_AUTOMATIONS=1`` starts them (and the sensors) running.

- ``end_of_day``       00:05 daily: closes the day that just ended.
- ``price_fetch``      every minute: the price re-values every facility (CVL, margin calls,
                       liquidations), and Lana's own price job runs every 60 s; a fetch is one row.
- ``warehouse``        hourly at :30: EL + dbt, so the marts are at most about an hour old.
- ``daily_reports``    01:00 daily: the daily reports as of the day that ended.
- ``month_end_reports`` 02:00 on the 1st: the regulator's monthly reports as of the month's last day.

A report schedule reports on a day only once the core has closed it (its end of day completed,
in ``core.job_runs``): before that, its interest and ageing are missing. Otherwise the tick is
skipped with the reason, and the partition can be run by hand (or backfilled) later.
"""

import os
from datetime import date, timedelta

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from dagster_project.jobs import (
    daily_reports_job,
    end_of_day_job,
    month_end_reports_job,
    price_fetch_job,
    warehouse_job,
)
from dagster_project.resources import LanaCore

TIMEZONE = "UTC"


def automations_status() -> DefaultScheduleStatus:
    """RUNNING when ``LANA_DAGSTER_AUTOMATIONS`` is 1/true/yes, else STOPPED."""
    running = os.environ.get("LANA_DAGSTER_AUTOMATIONS", "").strip().lower() in ("1", "true", "yes")
    return DefaultScheduleStatus.RUNNING if running else DefaultScheduleStatus.STOPPED


@schedule(job=end_of_day_job, cron_schedule="5 0 * * *", execution_timezone=TIMEZONE,
          default_status=automations_status())
def end_of_day_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    day = context.scheduled_execution_time.date() - timedelta(days=1)
    return RunRequest(run_config={"ops": {"close_day": {"config": {"day": day.isoformat()}}}},
                      tags={"lana/day": day.isoformat()})


price_fetch_schedule = ScheduleDefinition(
    name="price_fetch_schedule", job=price_fetch_job, cron_schedule="* * * * *", execution_timezone=TIMEZONE,
    default_status=automations_status())

warehouse_schedule = ScheduleDefinition(
    name="warehouse_schedule", job=warehouse_job, cron_schedule="30 * * * *", execution_timezone=TIMEZONE,
    default_status=automations_status())


def day_closed(core: LanaCore, day: date) -> bool:
    """Whether the core's end of day has completed for ``day`` (or a later day: a run catches
    up every day it missed)."""
    with core.app() as app, app.db.unit_of_work() as uow:
        (closed,) = uow.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM core.job_runs WHERE job = 'end-of-day' AND outcome = 'completed' "
            "AND day >= %s)", (day,)).fetchone()
    return bool(closed)


def _reports_as_of(core: LanaCore, day: date) -> RunRequest | SkipReason:
    if not day_closed(core, day):
        return SkipReason(f"the core has not closed {day} yet (no completed end of day): its reports would "
                          "miss the day's interest and ageing")
    return RunRequest(partition_key=day.isoformat())


@schedule(job=daily_reports_job, cron_schedule="0 1 * * *", execution_timezone=TIMEZONE,
          default_status=automations_status())
def daily_reports_schedule(context: ScheduleEvaluationContext, core: LanaCore) -> RunRequest | SkipReason:
    return _reports_as_of(core, context.scheduled_execution_time.date() - timedelta(days=1))


@schedule(job=month_end_reports_job, cron_schedule="0 2 1 * *", execution_timezone=TIMEZONE,
          default_status=automations_status())
def month_end_reports_schedule(context: ScheduleEvaluationContext, core: LanaCore) -> RunRequest | SkipReason:
    return _reports_as_of(core, context.scheduled_execution_time.date().replace(day=1) - timedelta(days=1))


SCHEDULES = [end_of_day_schedule, price_fetch_schedule, warehouse_schedule, daily_reports_schedule,
             month_end_reports_schedule]

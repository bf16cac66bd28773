"""Report runs requested through the core (``lana report request``, the admin API), carried out.

- ``requested_report_runs`` (every 30 s) reads the core's pending report runs and launches, for
  each, a ``report_runs`` Dagster run of that report's asset for the run's as-of date, tagged
  with the core's run id (``lana/report_run_id``): the asset then starts the run in the core,
  writes its files and completes or fails it. A run is launched once (the core's run id is the
  run key). A run whose as-of date cannot be a partition (before the first as-of date, or none)
  is failed in the core with the reason.
- ``report_run_failures``: when such a Dagster run fails before its asset recorded the outcome
  (the run worker died, a resource could not start), the core's run, still pending or running
  under this Dagster run's id, is failed with Dagster's reason instead of waiting for ever.

Both start STOPPED unless ``LANA_DAGSTER_AUTOMATIONS=1``, like the schedules.
"""

from uuid import UUID

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from dagster_project.assets.reports import (
    AS_OF_DATES,
    DAGSTER,
    REPORT_DEFINITION_TAG,
    REPORT_RUN_TAG,
    report_key,
)
from dagster_project.jobs import report_runs_job
from dagster_project.resources import LanaCore
from dagster_project.schedules import automations_status
from lana_core.report.domain import RunStatus

SENSOR_STATUS = DefaultSensorStatus(automations_status().value)


@sensor(job=report_runs_job, minimum_interval_seconds=30, default_status=SENSOR_STATUS)
def requested_report_runs(context: SensorEvaluationContext, core: LanaCore) -> list[RunRequest] | SkipReason:
    requests = []
    with core.app() as app:
        pending = app.reports.runs(DAGSTER, status=RunStatus.PENDING, limit=100)
        for run in reversed(pending):  # oldest first
            as_of = run.as_of_date.isoformat() if run.as_of_date else None
            if as_of is None or not AS_OF_DATES.has_partition_key(as_of):
                app.reports.fail_run(run.id, f"reports are produced as of a day from {AS_OF_DATES.start:%Y-%m-%d} "
                                             f"to yesterday; {as_of or 'no as-of date'} is not one")
                continue
            requests.append(RunRequest(
                run_key=str(run.id), partition_key=as_of, asset_selection=[report_key(run.definition_id)],
                tags={REPORT_RUN_TAG: str(run.id), REPORT_DEFINITION_TAG: run.definition_id}))
    return requests or SkipReason("no report run is pending in the core")


@run_failure_sensor(monitored_jobs=[report_runs_job], default_status=SENSOR_STATUS)
def report_run_failures(context: RunFailureSensorContext, core: LanaCore) -> None:
    run_id = context.dagster_run.tags.get(REPORT_RUN_TAG)
    if not run_id:
        return
    with core.app() as app:
        run = app.reports.run(DAGSTER, UUID(run_id))
        # Running under another executor's id (`lana report run` started it first): not ours to fail.
        if run.status is RunStatus.PENDING or (run.status is RunStatus.RUNNING
                                               and run.external_id == context.dagster_run.run_id):
            app.reports.fail_run(run.id, f"Dagster run {context.dagster_run.run_id} failed: "
                                         f"{context.failure_event.message or 'no reason given'}")
            context.log.info(f"report run {run.id} failed in the core")


SENSORS = [requested_report_runs, report_run_failures]

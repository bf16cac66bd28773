"""The reports: one asset per report the core defines (``lana_core/report/definitions.yml``),
``report/<norm>/<name>`` (``report/nrp_92/persona``, ``report/finance/trial_balance``),
partitioned by as-of date (one partition per day, UTC) and downstream of its source mart.

Materializing a partition is a report run in the core (``reports.execute.execute_run``): the
run is started, every output written (XML checked against the regulator's XSD), published with
its manifest, and completed with its files, or failed with the reason, which fails the asset.
The run is the one an operator requested when the Dagster run carries its id (tag
``lana/report_run_id``, set by the sensor ``requested_report_runs``); otherwise one is requested
first, as ``system:dagster``, ``scheduled`` when a schedule launched the Dagster run.

Gates: in a run that also builds the marts, a failing blocking check upstream stops the
reports before they start. A run of the reports alone (an operator's request) refuses to
report from a mart whose latest evaluation of one of its blocking checks failed, and says which.
"""

import os
from collections.abc import Iterable, Sequence
from datetime import date
from uuid import UUID

from dagster import (
    AssetCheckKey,
    AssetChecksDefinition,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterInstance,
    DailyPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecordStatus,
)

from dagster_project.resources import LanaCore, ReportFiles, Warehouse
from lana_core.access.domain import Actor
from lana_core.report.domain import ReportDefinition, definitions
from reports.execute import ReportRunFailed, execute_run

# The first as-of date a report can be produced for (LANA_REPORTS_FIRST_DATE): the bank's
# first day. The last partition is yesterday, the last day that has ended.
AS_OF_DATES = DailyPartitionsDefinition(start_date=os.environ.get("LANA_REPORTS_FIRST_DATE", "2025-01-01"),
                                        timezone="UTC")
REPORT_RUN_TAG = "lana/report_run_id"  # the core's ReportRun a Dagster run carries out
REPORT_DEFINITION_TAG = "lana/report_definition_id"
SCHEDULE_TAG = "dagster/schedule_name"
DAGSTER = Actor.system("dagster")  # who requests the runs Dagster starts on its own


def report_key(definition_id: str) -> AssetKey:
    """``nrp_92/persona``: ``report/nrp_92/persona``."""
    return AssetKey(["report", *definition_id.split("/", 1)])


def failed_gates(instance: DagsterInstance, gates: Sequence[AssetCheckKey]) -> list[str]:
    """The gates whose latest evaluation failed, each with what it said."""
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(gates))
    failed = []
    for key, record in sorted(latest.items(), key=lambda item: item[0].to_user_string()):
        if record.status is AssetCheckExecutionRecordStatus.FAILED:
            evaluation = record.event.asset_check_evaluation if record.event else None
            said = f": {evaluation.description}" if evaluation and evaluation.description else ""
            where = f" (run {record.run_id[:8]})" if record.run_id else ""
            failed.append(f"{key.to_user_string()}{where}{said}")
    return failed


def report_asset(definition: ReportDefinition, gates: Sequence[AssetCheckKey]) -> AssetsDefinition:
    """The asset of one report; ``gates``: the blocking checks of its source mart."""

    @asset(key=report_key(definition.id), deps=[AssetKey(definition.source)], partitions_def=AS_OF_DATES,
           group_name="reports", kinds=set(definition.outputs), tags={"lana/norm": definition.norm},
           description=f"{definition.name} ({definition.id}), as of the partition's date: "
                       f"{', '.join(definition.outputs)} from the mart {definition.source}.")
    def produce(context: AssetExecutionContext, core: LanaCore, warehouse: Warehouse,
                files: ReportFiles) -> MaterializeResult:
        as_of = date.fromisoformat(context.partition_key)
        tags = context.run.tags
        source, target = warehouse.for_reports(), files.storage()  # misconfigured: fail before the core
        with core.app() as app:
            if REPORT_RUN_TAG in tags and tags.get(REPORT_DEFINITION_TAG) == definition.id:
                run_id = UUID(tags[REPORT_RUN_TAG])
            else:
                trigger = "scheduled" if SCHEDULE_TAG in tags else "manual"
                run_id = app.reports.request_run(DAGSTER, definition.id, as_of, trigger=trigger).id
            refused = failed_gates(context.instance, gates)
            if refused:
                reason = f"the mart {definition.source} failed its latest checks: " + "; ".join(refused)
                app.reports.fail_run(run_id, reason)
                raise Failure(description=reason, metadata={"report_run": str(run_id)})
            try:
                done = execute_run(app, run_id, warehouse=source, storage=target, schemas=files.schemas,
                                   external_id=context.run.run_id)
            except ReportRunFailed as failed:
                raise Failure(description=str(failed), metadata={"report_run": str(run_id)}) from failed
        return MaterializeResult(metadata={
            "report_run": str(done.id),
            "as_of": as_of.isoformat(),
            "files": MetadataValue.json([{"name": f.name, "format": f.format, "location": f.location,
                                          "size": f.size, "sha256": f.sha256} for f in done.files]),
        })

    return produce


def report_assets(checks: Iterable[AssetsDefinition | AssetChecksDefinition]) -> list[AssetsDefinition]:
    """An asset per report definition, each gated by the blocking checks among ``checks`` on
    its source mart."""
    specs = [spec for definition in checks for spec in definition.check_specs if spec.blocking]
    return [report_asset(d, [s.key for s in specs if s.asset_key == AssetKey(d.source)])
            for d in definitions().values()]

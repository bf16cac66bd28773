"""A small simulated bank through Dagster, in process on an ephemeral instance: the EL and dbt
assets materialized with every check passing (dbt's tests and the quality gates), then every
report as of one day, each a completed report run in the core whose files are valid and whose
totals are the core's; a second run writes the same bytes. A mart failing a blocking check stops
its report in the same run, and bad data in the raw layer fails its gate: no report. The sensor carries out a run an operator requested in the core,
refuses one whose mart failed its latest checks, and a run that dies early is failed in the
core. The report schedules wait for the core to close the day."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import duckdb
import openpyxl
import pytest
import xmlschema
from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    DagsterInstance,
    RunRequest,
    SkipReason,
    build_run_status_sensor_context,
    build_schedule_context,
    build_sensor_context,
    materialize,
)

from dagster_project.assets.dbt import dbt_resource
from dagster_project.assets.reports import report_key
from dagster_project.definitions import ASSETS, CHECKS, defs
from dagster_project.resources import LanaCore, ReportFiles, Warehouse
from dagster_project.schedules import daily_reports_schedule, end_of_day_schedule
from dagster_project.sensors import report_run_failures, requested_report_runs
from lana_core.app import Lana
from lana_core.money import Currency
from lana_core.report.domain import ReportRun, RunStatus, definitions
from lana_core.simulation import Spec, open_simulation
from lana_core.simulation.engine import SUPERUSER
from lana_core.warehouse.el import STREAMS
from reports.definitions import spec
from reports.readers.finance import major
from tests.reports.support import XSD_DIR

SPEC = Spec(seed=11, customers=12, start_date=date(2025, 7, 1))
MONTHS = 4
D = date(2025, 10, 31)  # the last day simulated
EVERYTHING = [*ASSETS, *CHECKS]


@dataclass
class Bank:
    """app: the core on the simulation's clock; url: its database; folder: the warehouse;
    resources: the Dagster resources on them; instance: the ephemeral Dagster instance;
    result: the first materialization (EL, dbt, every report as of D); runs: the core's report
    run of each report from it."""

    app: Lana
    url: str
    folder: Path
    resources: dict
    instance: DagsterInstance
    result: object
    runs: dict[str, ReportRun]


def core_runs(app: Lana, result) -> dict[str, ReportRun]:
    """The core's report run behind each report materialized in ``result``."""
    actor = app.actor(SUPERUSER)
    found = {}
    for event in result.get_asset_materialization_events():
        key = event.asset_key
        if key.path[0] == "report":
            run_id = UUID(event.materialization.metadata["report_run"].value)
            found["/".join(key.path[1:])] = app.reports.run(actor, run_id)
    return found


@pytest.fixture(scope="module")
def bank(server, template_db, tmp_path_factory):
    from tests.conftest import fresh_database

    folder = tmp_path_factory.mktemp("warehouse")
    mp = pytest.MonkeyPatch()
    mp.setenv("DBT_TARGET_PATH", str(tmp_path_factory.mktemp("dbt-target")))  # dbt's artifacts per invocation
    with fresh_database(server, template_db) as url:
        app, sim = open_simulation(url, SPEC)
        try:
            sim.run(MONTHS)
            resources = {"core": LanaCore(database_url=url), "warehouse": Warehouse(directory=str(folder)),
                         "files": ReportFiles(folder=str(tmp_path_factory.mktemp("reports")), schemas=str(XSD_DIR)),
                         "dbt": dbt_resource()}
            instance = DagsterInstance.ephemeral()
            result = materialize(EVERYTHING, instance=instance, resources=resources, partition_key=D.isoformat(),
                                 raise_on_error=False)
            yield Bank(app, url, folder, resources, instance, result, core_runs(app, result))
        finally:
            mp.undo()
            app.db.close()


def test_the_el_and_dbt_assets_materialize_and_every_check_passes(bank):
    assert bank.result.success
    materialized = {e.asset_key: e.materialization.metadata for e in bank.result.get_asset_materialization_events()}
    for table in STREAMS:
        metadata = materialized[AssetKey(["raw", table])]
        assert metadata["seconds"].value > 0 and metadata["rows"].value >= 0
    assert materialized[AssetKey(["raw", "core_events"])]["rows"].value > 100
    marts = {AssetKey("trial_balance"), AssetKey("loan_portfolio"), AssetKey("report_nrp_92_persona")}
    assert marts <= set(materialized)
    evaluations = bank.result.get_asset_check_evaluations()
    assert len(evaluations) >= 250 and [e.check_name for e in evaluations if not e.passed] == []
    gates = {e.check_name: e.asset_key for e in evaluations if e.check_name.startswith(("raw_", "marts_"))}
    assert gates["raw_core_events"] == AssetKey(["raw", "core_events"])
    assert gates["marts_trial_balance"] == AssetKey("trial_balance") and len(gates) == 17
    assert (bank.folder / "data_docs" / "index.html").exists()
    with duckdb.connect(str(bank.folder / "lana.duckdb"), read_only=True) as wh:
        assert wh.execute("select count(*) from trial_balance").fetchone()[0] > 0


def test_every_report_is_a_completed_run_in_the_core_with_valid_files(bank):
    assert set(bank.runs) == set(definitions())
    for report_id, run in bank.runs.items():
        assert (run.status, run.failure, run.as_of_date, run.trigger) == (RunStatus.COMPLETED, None, D, "manual")
        assert run.external_id == bank.result.run_id
        assert sorted(f.format for f in run.files) == sorted(definitions()[report_id].outputs)
        for file in run.files:
            data = Path(file.location).read_bytes()
            assert len(data) == file.size > 0
            if file.format == "xml":
                assert xmlschema.XMLSchema(str(XSD_DIR / spec(report_id).xsd)).is_valid(data), report_id


@pytest.mark.parametrize("currency", [Currency.USD, Currency.BTC])
def test_the_trial_balance_totals_are_the_cores(bank, currency):
    core = bank.app.accounting.trial_balance(bank.app.actor(SUPERUSER), D.replace(day=1), D, currency).totals
    xlsx = next(f for f in bank.runs["finance/trial_balance"].files if f.format == "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(xlsx.location).read_bytes()))["Totals"]
    [row] = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == currency.value]
    exponent = Decimal(1).scaleb(-currency.exponent)
    assert tuple(Decimal(str(v)).quantize(exponent) for v in row[1:7]) == tuple(major(v, currency.value) for v in (
        core.debits, core.credits, core.opening_debit_balances, core.opening_credit_balances,
        core.closing_debit_balances, core.closing_credit_balances))


def test_a_second_run_writes_every_file_byte_for_byte(bank):
    reports = [report_key(i) for i in definitions()]
    again = materialize(EVERYTHING, instance=bank.instance, resources=bank.resources, partition_key=D.isoformat(),
                        selection=reports)
    second = core_runs(bank.app, again)
    assert set(second) == set(bank.runs)
    for report_id, first in bank.runs.items():
        assert second[report_id].id != first.id
        assert [(f.name, f.sha256) for f in second[report_id].files] == [(f.name, f.sha256) for f in first.files]
        for one, two in zip(first.files, second[report_id].files, strict=True):
            assert Path(one.location).read_bytes() == Path(two.location).read_bytes()
        manifests = [Path(run.files[0].location).parent.parent / "manifest.json" for run in (first, second[report_id])]
        assert manifests[0].read_bytes() == manifests[1].read_bytes()


def test_the_sensor_carries_out_a_report_run_requested_in_the_core(bank):
    requested = bank.app.reports.request_run(bank.app.actor(SUPERUSER), "nrp_91/saldo_cuenta", D)
    context = build_sensor_context(instance=bank.instance, resources={"core": bank.resources["core"]})
    [request] = requested_report_runs(context)
    assert isinstance(request, RunRequest)
    assert (request.run_key, request.partition_key, request.asset_selection) == (
        str(requested.id), D.isoformat(), [report_key("nrp_91/saldo_cuenta")])
    result = materialize(EVERYTHING, instance=bank.instance, resources=bank.resources,
                         partition_key=request.partition_key, selection=request.asset_selection, tags=request.tags)
    run = bank.app.reports.run(bank.app.actor(SUPERUSER), requested.id)
    assert (run.status, run.external_id, run.trigger) == (RunStatus.COMPLETED, result.run_id, "manual")
    assert [f.sha256 for f in run.files] == [f.sha256 for f in bank.runs["nrp_91/saldo_cuenta"].files]
    assert isinstance(requested_report_runs(build_sensor_context(
        instance=bank.instance, resources={"core": bank.resources["core"]})), SkipReason)


def test_a_requested_run_is_refused_when_its_mart_failed_its_latest_check(bank):
    mart = AssetKey("report_nrp_92_persona")
    gate = next(k for k in defs.get_repository_def().asset_graph.asset_check_keys if k.asset_key == mart)
    instance = DagsterInstance.ephemeral()
    instance.report_runless_asset_event(AssetCheckEvaluation(
        asset_key=mart, check_name=gate.name, passed=False, description="2 debtors without a document"))
    requested = bank.app.reports.request_run(bank.app.actor(SUPERUSER), "nrp_92/persona", D)
    [request] = requested_report_runs(build_sensor_context(instance=instance,
                                                           resources={"core": bank.resources["core"]}))
    result = materialize(EVERYTHING, instance=instance, resources=bank.resources, partition_key=request.partition_key,
                         selection=request.asset_selection, tags=request.tags, raise_on_error=False)
    assert not result.success
    run = bank.app.reports.run(bank.app.actor(SUPERUSER), requested.id)
    assert run.status is RunStatus.FAILED and run.files == ()
    assert run.failure.startswith(f"the mart report_nrp_92_persona failed its latest checks: {gate.to_user_string()}")
    assert run.failure.endswith(": 2 debtors without a document")


def test_the_report_schedules_wait_for_the_core_to_close_the_day(bank):
    def tick(schedule, at: datetime):
        return schedule(build_schedule_context(instance=bank.instance, scheduled_execution_time=at,
                                               resources={"core": bank.resources["core"]}))

    closed = tick(daily_reports_schedule, datetime(2025, 10, 31, 1, 0, tzinfo=timezone.utc))
    assert isinstance(closed, RunRequest) and closed.partition_key == "2025-10-30"
    not_yet = tick(daily_reports_schedule, datetime(2025, 11, 2, 1, 0, tzinfo=timezone.utc))
    assert isinstance(not_yet, SkipReason) and "2025-11-01" in not_yet.skip_message
    end_of_day = end_of_day_schedule(build_schedule_context(
        scheduled_execution_time=datetime(2025, 11, 1, 0, 5, tzinfo=timezone.utc)))
    assert end_of_day.run_config == {"ops": {"close_day": {"config": {"day": "2025-10-31"}}}}


def test_a_requested_run_whose_dagster_run_fails_early_is_failed_in_the_core(bank, monkeypatch):
    """The run's warehouse cannot be reached (prod without its settings): the asset fails before
    it could record anything, and the failure sensor fails the core's run with Dagster's reason."""
    monkeypatch.delenv("LANA_BQ_PROJECT", raising=False)
    requested = bank.app.reports.request_run(bank.app.actor(SUPERUSER), "finance/balance_sheet", D)
    [request] = requested_report_runs(build_sensor_context(instance=bank.instance,
                                                           resources={"core": bank.resources["core"]}))
    broken = {**bank.resources, "warehouse": Warehouse(environment="prod")}
    result = materialize(EVERYTHING, instance=bank.instance, resources=broken, partition_key=request.partition_key,
                         selection=request.asset_selection, tags=request.tags, raise_on_error=False)
    assert not result.success
    assert bank.app.reports.run(bank.app.actor(SUPERUSER), requested.id).status is RunStatus.PENDING
    context = build_run_status_sensor_context(
        sensor_name="report_run_failures", dagster_event=result.get_run_failure_event(),
        dagster_instance=bank.instance, dagster_run=bank.instance.get_run_by_id(result.run_id),
        resources={"core": bank.resources["core"]}).for_run_failure()
    report_run_failures(context)
    run = bank.app.reports.run(bank.app.actor(SUPERUSER), requested.id)
    assert run.status is RunStatus.FAILED
    assert run.failure.startswith(f"Dagster run {result.run_id} failed: ")


def test_a_mart_failing_a_blocking_check_stops_its_report_in_the_same_run(bank, tmp_path):
    """A copy of the warehouse whose facility balances went negative: in a run that rebuilds the
    loan portfolio and then reports on it, the portfolio fails its checks (dbt's tests, which
    run first, and the quality gate would) and the report never starts: no report run is even
    requested in the core."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    for name in ("raw.duckdb", "lana.duckdb"):
        shutil.copy(bank.folder / name, folder / name)
    with duckdb.connect(str(folder / "lana.duckdb")) as wh:
        wh.execute("update int_account_balances_current set settled_balance = -settled_balance - 1 "
                   "where credit_role = 'DISBURSED_NOT_YET_DUE'")
    before = len(bank.app.reports.runs(bank.app.actor(SUPERUSER)))
    report = report_key("finance/loan_portfolio")
    result = materialize(EVERYTHING, instance=DagsterInstance.ephemeral(),
                         resources={**bank.resources, "warehouse": Warehouse(directory=str(folder))},
                         partition_key=D.isoformat(), selection=[AssetKey("loan_portfolio"), report],
                         raise_on_error=False)
    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed and {e.asset_key for e in failed} == {AssetKey("loan_portfolio")}
    assert any("principal_not_yet_due" in e.check_name for e in failed)
    assert report not in {e.asset_key for e in result.get_asset_materialization_events()}
    assert "report__finance__loan_portfolio" not in {e.step_key for e in result.get_step_success_events()}
    assert len(bank.app.reports.runs(bank.app.actor(SUPERUSER))) == before


def test_bad_data_in_the_raw_layer_fails_its_gate_and_no_report_is_published(bank, tmp_path):
    """A ledger entry with a negative amount in an unknown currency is in the raw layer (the EL
    only adds to it). A run that extracts, builds and reports: the raw layer's gate fails on that
    row, naming it, and neither the models nor the report after it run: no report run is
    requested in the core and no file is written."""
    from dagster import AssetSelection

    from dagster_project.assets.raw import raw_key
    from lana_core.warehouse.el import LOADER_PYTHON

    folder = tmp_path / "warehouse"
    folder.mkdir()
    for name in ("raw.duckdb", "lana.duckdb", "meltano.db"):  # the bookmarks too: the EL goes on from them
        shutil.copy(bank.folder / name, folder / name)
    # Written with the loader's own duckdb, as the raw file always is (a newer one could upgrade it).
    bad = ("INSERT INTO raw.raw.ledger_entries BY NAME SELECT transaction_id, 99 AS entry_index, account_id, 'EUR' AS currency, "
           "layer, direction, -500 AS amount, description, effective_date, recorded_at, xact_id "
           "FROM raw.raw.ledger_entries LIMIT 1")
    done = subprocess.run([str(LOADER_PYTHON), "-c", f"import duckdb, sys; duckdb.connect(sys.argv[1]).execute({bad!r})",
                           str(folder / "raw.duckdb")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    reports = tmp_path / "reports"
    before = len(bank.app.reports.runs(bank.app.actor(SUPERUSER)))
    report = report_key("finance/trial_balance")
    result = materialize(EVERYTHING, instance=DagsterInstance.ephemeral(),
                         resources={**bank.resources, "warehouse": Warehouse(directory=str(folder)),
                                    "files": ReportFiles(folder=str(reports), schemas=str(XSD_DIR))},
                         partition_key=D.isoformat(), selection=AssetSelection.assets(report).upstream().required_multi_asset_neighbors(),
                         raise_on_error=False)
    assert not result.success
    failed = {e.check_name: e for e in result.get_asset_check_evaluations() if not e.passed}
    assert set(failed) == {"raw_ledger_entries"} and failed["raw_ledger_entries"].asset_key == raw_key("ledger_entries")
    why = failed["raw_ledger_entries"].description
    assert "currency" in why and "amount" in why and "entry_index=99" in why
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert report not in materialized and AssetKey("trial_balance") not in materialized
    assert len(bank.app.reports.runs(bank.app.actor(SUPERUSER))) == before
    assert not reports.exists() or not any(reports.iterdir())

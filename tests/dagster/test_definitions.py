"""The Dagster definitions load as `dagster dev` loads them, with every asset, check, job,
schedule and sensor in place, and the schedules and sensors stopped unless the environment
asks for them running."""

from __future__ import annotations

import json

from dagster import AssetKey, DefaultScheduleStatus, Definitions

from dagster_project.assets.dbt import DBT_PROJECT
from dagster_project.definitions import CHECKS, defs
from dagster_project.schedules import automations_status
from lana_core.report.domain import definitions
from lana_core.warehouse.el import STREAMS
from lana_core.warehouse.quality.suites import SUITES


def test_the_definitions_load_with_every_asset_and_check():
    Definitions.validate_loadable(defs)
    repository = defs.get_repository_def()
    graph = repository.asset_graph
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")}
    raw = {AssetKey(["raw", table]) for table in STREAMS}
    reports = {AssetKey(["report", *d.id.split("/")]) for d in definitions().values()}
    assert graph.get_all_asset_keys() == raw | {AssetKey(m) for m in models} | reports
    assert len(raw) == 13 and len(reports) == 12

    # The dbt sources are the EL's assets; each report reads its mart.
    assert graph.get(AssetKey("stg_core__events")).parent_keys == {AssetKey(["raw", "core_events"])}
    for d in definitions().values():
        assert graph.get(AssetKey(["report", *d.id.split("/")])).parent_keys == {AssetKey(d.source)}
        assert graph.get(AssetKey(["report", *d.id.split("/")])).partitions_def is not None

    # Every dbt data test is a check (those reading several models on the most downstream one).
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(checks) >= len({n["name"] for n in tests}) - 1 >= 250
    assert ("int_account_balances_daily", "daily_balances_end_at_the_ledgers_current_balances") in checks
    assert ("trial_balance", "trial_balance_debits_equal_credits") in checks

    # Every data-quality suite is a blocking check on the asset its table is.
    gates = {spec.name: spec for gate in CHECKS for spec in gate.check_specs}
    assert set(gates) == set(SUITES) and all(spec.blocking for spec in gates.values())
    for name, suite in SUITES.items():
        key = AssetKey(["raw", suite.table]) if suite.layer == "raw" else AssetKey(suite.table)
        assert gates[name].asset_key == key and (key.to_user_string(), name) in checks


def test_the_jobs_schedules_and_sensors_are_there_and_stopped_by_default():
    repository = defs.get_repository_def()
    assert {j.name for j in repository.get_all_jobs()} >= {
        "end_of_day", "price_fetch", "warehouse", "daily_reports", "month_end_reports", "report_runs"}
    schedules = {s.name: s for s in repository.schedule_defs}
    assert {name: (s.cron_schedule, s.job_name) for name, s in schedules.items()} == {
        "end_of_day_schedule": ("5 0 * * *", "end_of_day"),
        "price_fetch_schedule": ("* * * * *", "price_fetch"),
        "warehouse_schedule": ("30 * * * *", "warehouse"),
        "daily_reports_schedule": ("0 1 * * *", "daily_reports"),
        "month_end_reports_schedule": ("0 2 1 * *", "month_end_reports"),
    }
    assert all(s.default_status is DefaultScheduleStatus.STOPPED for s in schedules.values())
    sensors = {s.name: s for s in repository.sensor_defs}
    assert set(sensors) == {"requested_report_runs", "report_run_failures"}
    assert all(s.default_status.value == "STOPPED" for s in sensors.values())

    # The daily and month-end jobs refresh the warehouse and its checks before their reports.
    daily = repository.get_job("daily_reports").asset_layer.asset_graph
    month_end = repository.get_job("month_end_reports").asset_layer.asset_graph
    for job_graph, norms in ((daily, {"finance", "risk", "uif_07"}), (month_end, {"nrp_91", "nrp_92", "nrp_28"})):
        keys = job_graph.executable_asset_keys
        assert AssetKey(["raw", "core_events"]) in keys and AssetKey("trial_balance") in keys
        assert {k.path[1] for k in keys if k.path[0] == "report"} == norms


def test_automations_run_when_the_environment_says_so(monkeypatch):
    monkeypatch.setenv("LANA_DAGSTER_AUTOMATIONS", "1")
    assert automations_status() is DefaultScheduleStatus.RUNNING
    monkeypatch.setenv("LANA_DAGSTER_AUTOMATIONS", "0")
    assert automations_status() is DefaultScheduleStatus.STOPPED

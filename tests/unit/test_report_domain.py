from datetime import date
from uuid import uuid4

import pytest

from lana_core.errors import InvalidInput, NotFound
from lana_core.report.domain import (
    ReportDefinition,
    ReportError,
    ReportFile,
    ReportRun,
    ReportRunCompleted,
    ReportRunFailed,
    ReportRunRequested,
    ReportRunStarted,
    RunStatus,
    definition,
    definitions,
)
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly, refused

TODAY = date(2026, 3, 2)
YESTERDAY = date(2026, 3, 1)
TRIAL_BALANCE = definition("finance/trial_balance")
SNAPSHOT = ReportDefinition("ops/customer_list", "ops", "Customer list", "customers", False, ("csv",))
FILES = [
    ReportFile("trial_balance.pdf", "pdf", "s3://reports/tb.pdf", 10_240, "ab" * 32),
    ReportFile("trial_balance.xlsx", "xlsx", "s3://reports/tb.xlsx", 4_096, "cd" * 32),
]


def a_run(status: RunStatus = RunStatus.PENDING) -> ReportRun:
    run = ReportRun.request(uuid4(), TRIAL_BALANCE, YESTERDAY, TODAY)
    if status is not RunStatus.PENDING:
        run.start("dagster-42")
    if status is RunStatus.COMPLETED:
        run.complete(FILES)
    if status is RunStatus.FAILED:
        run.fail("warehouse unreachable")
    assert run.status is status
    return run


# --- definitions ----------------------------------------------------------------------------


def test_definitions_are_read_from_the_shipped_list():
    found = definitions()
    assert "finance/trial_balance" in found
    assert TRIAL_BALANCE == ReportDefinition("finance/trial_balance", "finance", "Trial balance", "trial_balance",
                                             True, ("pdf", "xlsx"))
    for report_id, report in found.items():
        assert report.id == report_id
        assert report_id.startswith(f"{report.norm}/")
        assert report.outputs


def test_an_unknown_definition_is_not_found():
    with raises_exactly(NotFound, "there is no report 'finance/horoscope'"):
        definition("finance/horoscope")


# --- requests -------------------------------------------------------------------------------


def test_a_requested_run_is_pending():
    run_id = uuid4()
    run = ReportRun.request(run_id, TRIAL_BALANCE, YESTERDAY, TODAY, trigger="scheduled")
    assert (run.definition_id, run.as_of_date, run.trigger, run.status, run.external_id, run.files, run.failure) == (
        "finance/trial_balance", YESTERDAY, "scheduled", RunStatus.PENDING, None, (), None
    )
    assert run.pending_events == [ReportRunRequested(run_id, "finance/trial_balance", YESTERDAY, "scheduled")]


def test_a_run_is_triggered_manually_unless_told_otherwise():
    assert a_run().trigger == "manual"


def test_a_report_that_needs_an_as_of_date_refuses_a_run_without_one():
    with raises_exactly(InvalidInput, "report finance/trial_balance needs an as-of date"):
        ReportRun.request(uuid4(), TRIAL_BALANCE, None, TODAY)


def test_a_report_without_an_as_of_date_refuses_one():
    with raises_exactly(InvalidInput, "report ops/customer_list takes no as-of date"):
        ReportRun.request(uuid4(), SNAPSHOT, YESTERDAY, TODAY)


def test_a_report_without_an_as_of_date_runs_without_one():
    run = ReportRun.request(uuid4(), SNAPSHOT, None, TODAY)
    assert (run.status, run.as_of_date) == (RunStatus.PENDING, None)


@pytest.mark.parametrize("as_of", [TODAY, date(2026, 3, 3), date(2027, 1, 1)])
def test_the_as_of_date_must_be_a_day_that_has_ended(as_of):
    with raises_exactly(InvalidInput, "the as-of date must be a day that has ended (before 2026-03-02)"):
        ReportRun.request(uuid4(), TRIAL_BALANCE, as_of, TODAY)


def test_an_as_of_date_long_past_is_accepted():
    assert ReportRun.request(uuid4(), TRIAL_BALANCE, date(2020, 12, 31), TODAY).as_of_date == date(2020, 12, 31)


# --- pending, running, completed or failed -----------------------------------------------------


def test_a_pending_run_starts_running_with_the_orchestrators_id():
    run = a_run()
    run.start("dagster-42")
    assert (run.status, run.external_id) == (RunStatus.RUNNING, "dagster-42")
    assert run.pending_events[-1] == ReportRunStarted("dagster-42")


def test_a_run_may_start_without_an_orchestrator_id():
    run = a_run()
    run.start(None)
    assert (run.status, run.external_id) == (RunStatus.RUNNING, None)


def test_a_running_run_completes_with_its_files():
    run = a_run(RunStatus.RUNNING)
    run.complete(FILES)
    assert (run.status, run.files, run.failure) == (RunStatus.COMPLETED, tuple(FILES), None)
    assert run.pending_events[-1] == ReportRunCompleted(tuple(FILES))


def test_a_running_run_fails_with_a_reason():
    run = a_run(RunStatus.RUNNING)
    run.fail("warehouse unreachable")
    assert (run.status, run.failure) == (RunStatus.FAILED, "warehouse unreachable")
    assert run.pending_events[-1] == ReportRunFailed("warehouse unreachable")


def test_a_pending_run_that_could_not_start_fails():
    run = a_run()
    run.fail("orchestrator unreachable")
    assert (run.status, run.failure) == (RunStatus.FAILED, "orchestrator unreachable")


def test_a_failure_without_a_reason_gets_a_default_one():
    run = a_run(RunStatus.RUNNING)
    run.fail("")
    assert run.failure == "unknown failure"


@pytest.mark.parametrize("status", [RunStatus.RUNNING, RunStatus.COMPLETED, RunStatus.FAILED])
def test_only_a_pending_run_can_start(status):
    run = a_run(status)
    with refused(run, ReportError, f"report run {run.id} is {status}, not pending"):
        run.start("dagster-43")


@pytest.mark.parametrize("status", [RunStatus.PENDING, RunStatus.COMPLETED, RunStatus.FAILED])
def test_only_a_running_run_can_complete(status):
    run = a_run(status)
    with refused(run, ReportError, f"report run {run.id} is {status}, not running"):
        run.complete(FILES)


@pytest.mark.parametrize("status", [RunStatus.COMPLETED, RunStatus.FAILED])
def test_a_run_that_has_ended_cannot_fail(status):
    run = a_run(status)
    with refused(run, ReportError, f"report run {run.id} has already ended ({status})"):
        run.fail("late error")


@pytest.mark.parametrize("status", list(RunStatus))
def test_a_report_run_rehydrates_from_its_events(status):
    assert_rehydrates(a_run(status))


def test_a_run_without_an_as_of_date_rehydrates_from_its_events():
    run = ReportRun.request(uuid4(), SNAPSHOT, None, TODAY)
    run.start(None)
    run.complete([])
    assert_rehydrates(run)

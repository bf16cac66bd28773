"""Report runs: requested by operators, executed and reported back by the data platform."""

from __future__ import annotations

from datetime import date

import pytest

from lana_core.access.domain import PermissionDenied
from lana_core.errors import InvalidInput, NotFound
from lana_core.report.domain import ReportError, ReportFile, RunStatus
from tests.integration.conftest import snapshot


def test_the_definitions_are_listed_for_operators(bank, root):
    ids = {d.id for d in bank.reports.definitions(root)}
    assert {"nrp_92/persona", "nrp_91/saldo_cuenta", "uif_07/diario_otros_medios_electronicos",
            "finance/trial_balance", "finance/loan_portfolio"} <= ids


def test_a_run_goes_from_pending_to_completed_with_its_files(bank, root):
    run = bank.reports.request_run(root, "nrp_91/saldo_cuenta", date(2026, 2, 28))
    assert run.status is RunStatus.PENDING and run.trigger == "manual"
    with bank.db.unit_of_work() as uow:
        message = uow.conn.execute("SELECT message_type FROM core.outbox ORDER BY position DESC LIMIT 1").fetchone()
    assert message == ("ReportRunRequested",)  # what the orchestrator's sensor waits for
    bank.reports.start_run(run.id, external_id="dagster-run-1")
    files = [ReportFile("saldo_cuenta.xml", "xml", "/reports/1/saldo_cuenta.xml", 1234, "ab" * 32)]
    done = bank.reports.complete_run(run.id, files)
    assert (done.status, done.files, done.external_id) == (RunStatus.COMPLETED, tuple(files), "dagster-run-1")
    assert bank.reports.run(root, run.id).files == tuple(files)
    with pytest.raises(ReportError, match="completed, not running"):
        bank.reports.complete_run(run.id, files)


def test_a_failed_run_keeps_its_reason(bank, root):
    run = bank.reports.request_run(root, "nrp_92/persona", date(2026, 2, 28))
    bank.reports.start_run(run.id)
    failed = bank.reports.fail_run(run.id, "persona.xml does not validate: element 'nit' missing")
    assert failed.status is RunStatus.FAILED and "does not validate" in failed.failure
    assert [r.id for r in bank.reports.runs(root, status=RunStatus.FAILED)] == [run.id]


def test_a_bad_request_is_refused_and_writes_nothing(bank, root):
    bank.access.create_user(root, "books@bank.example", roles=["accountant"])
    before = snapshot(bank)
    with pytest.raises(InvalidInput, match="needs an as-of date"):
        bank.reports.request_run(root, "nrp_91/saldo_cuenta")
    with pytest.raises(InvalidInput, match="a day that has ended"):
        bank.reports.request_run(root, "nrp_91/saldo_cuenta", date(2026, 3, 2))
    with pytest.raises(NotFound, match="no report"):
        bank.reports.request_run(root, "nrp_00/nothing", date(2026, 2, 1))
    with pytest.raises(PermissionDenied):
        bank.reports.request_run(bank.actor("books@bank.example"), "nrp_91/saldo_cuenta", date(2026, 2, 1))
    assert snapshot(bank) == before

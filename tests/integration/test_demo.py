"""The demo bank: real operations end to end, balanced books, and nothing twice."""

from __future__ import annotations

from datetime import date

from lana_core.app import AppConfig, Lana
from lana_core.customer.domain import KycStatus
from lana_core.demo import SUPERUSER, run_demo
from lana_core.deposit.domain import WithdrawalStatus
from lana_core.ledger.invariants import check_ledger
from tests.integration.conftest import snapshot


def test_the_demo_runs_the_bank_through_real_operations_once(db, tmp_path):
    app = Lana(db, AppConfig(document_folder=str(tmp_path)))
    first = run_demo(app)
    assert first.created and first.setup.chart is not None
    admin = app.actor(SUPERUSER)
    customers = app.customers.list(admin)
    assert len(customers) == 3 and all(c.kyc_status is KycStatus.VERIFIED for c in customers)
    withdrawals = app.deposits.withdrawals(admin)
    assert {w.status for w in withdrawals} == {WithdrawalStatus.CONFIRMED}
    tb = app.accounting.trial_balance(admin, date(2026, 3, 1), date(2026, 3, 2))
    assert tb.totals.balanced
    sheet = app.accounting.balance_sheet(admin, date(2026, 3, 2))
    # deposits 1,609,450.75 less 255,000 paid out, and the unpaid software invoice 1,290.40
    assert sheet.balanced and sheet.liabilities.total == 1_355_741_15
    with db.unit_of_work() as uow:
        assert check_ledger(uow.conn) == []

    before = snapshot(app)
    again = run_demo(app)
    assert again.created == [] and again.setup.chart is None
    assert snapshot(app) == before

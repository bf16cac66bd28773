"""Deposits on real PostgreSQL: accounts in the chart, money movements, approvals, status."""

from __future__ import annotations

from datetime import date

import pytest

from lana_core.app import AppConfig, Lana
from lana_core.customer.domain import CustomerType
from lana_core.deposit.domain import AccountStatus, DepositError, DepositStatus, WithdrawalStatus
from lana_core.errors import InvalidInput
from lana_core.ledger import IdempotencyConflict, InsufficientFunds, Layer, PeriodClosed
from lana_core.ledger.invariants import check_ledger
from lana_core.money import Currency
from tests.integration.conftest import funded_account, new_customer, snapshot


def ledger_balance(bank, code, layer=Layer.SETTLED):
    with bank.db.unit_of_work() as uow:
        return uow.ledger.balance(code, Currency.USD).amount(layer)


def committee(bank, root, threshold=2, members=3):
    emails = [f"officer{i}@bank.example" for i in range(members)]
    for email in emails:
        bank.access.create_user(root, email, roles=["bank-manager"])
    bank.governance.create_committee(root, "withdrawals", emails)
    bank.governance.require_committee(root, "withdraw", "withdrawals", threshold)
    return [bank.actor(e) for e in emails]


def test_an_account_sits_under_the_chart_node_of_its_customers_type(bank, root):
    nodes = {
        CustomerType.INDIVIDUAL: "21.01.0101", CustomerType.PRIVATE_COMPANY: "21.01.0102",
        CustomerType.BANK: "21.01.0103", CustomerType.FINANCIAL_INSTITUTION: "21.01.0104",
        CustomerType.GOVERNMENT_ENTITY: "21.01.0105", CustomerType.NON_DOMICILED_COMPANY: "21.01.0106",
        CustomerType.FOREIGN_AGENCY_OR_SUBSIDIARY: "21.01.0107",
    }
    for i, (customer_type, node) in enumerate(nodes.items(), start=1):
        customer = new_customer(bank, root, f"c{i}@example.com", customer_type)
        account = bank.deposits.open_account(root, customer.id)
        bank.deposits.record_deposit(root, account.id, i * 100)
        assert ledger_balance(bank, node) == i * 100
    assert ledger_balance(bank, "21.01") == sum(i * 100 for i in range(1, 8))
    assert ledger_balance(bank, "11.02") == ledger_balance(bank, "21.01")  # the omnibus side


def test_deposits_are_recorded_at_once_and_can_be_reverted_once(bank, root):
    _, account = funded_account(bank, root, 0)
    deposit = bank.deposits.record_deposit(root, account.id, 250_00, reference="wire 77")
    assert bank.deposits.balance(root, account.id).settled == 250_00
    assert bank.deposits.revert_deposit(root, deposit.id).status is DepositStatus.REVERTED
    assert bank.deposits.balance(root, account.id).settled == 0
    before = snapshot(bank)
    with pytest.raises(DepositError, match="already reverted"):
        bank.deposits.revert_deposit(root, deposit.id)
    assert snapshot(bank) == before


def test_reverting_a_deposit_already_spent_is_refused(bank, root):
    _, account = funded_account(bank, root, 0)
    deposit = bank.deposits.record_deposit(root, account.id, 100_00)
    bank.deposits.initiate_withdrawal(root, account.id, 60_00)
    before = snapshot(bank)
    with pytest.raises(InsufficientFunds):
        bank.deposits.revert_deposit(root, deposit.id)
    assert snapshot(bank) == before


@pytest.mark.parametrize("amount", [0, -5])
def test_amounts_must_be_positive(bank, root, amount):
    _, account = funded_account(bank, root)
    before = snapshot(bank)
    with pytest.raises(InvalidInput):
        bank.deposits.record_deposit(root, account.id, amount)
    assert snapshot(bank) == before


def test_an_auto_approved_withdrawal_reserves_then_pays_out(bank, root):
    _, account = funded_account(bank, root, 1_000_00)
    withdrawal = bank.deposits.initiate_withdrawal(root, account.id, 400_00)
    assert bank.deposits.withdrawal(root, withdrawal.id).status is WithdrawalStatus.PENDING_CONFIRMATION
    balance = bank.deposits.balance(root, account.id)
    assert (balance.settled, balance.pending) == (600_00, 400_00)
    bank.deposits.confirm_withdrawal(root, withdrawal.id)
    balance = bank.deposits.balance(root, account.id)
    assert (balance.settled, balance.pending) == (600_00, 0)
    assert ledger_balance(bank, "DEPOSIT.OMNIBUS") == 600_00


def test_a_withdrawal_beyond_the_balance_is_refused_and_leaves_no_trace(bank, root):
    _, account = funded_account(bank, root, 100_00)
    before = snapshot(bank)
    with pytest.raises(InsufficientFunds, match=r"would go to -0\.01 USD \(settled\)"):
        bank.deposits.initiate_withdrawal(root, account.id, 100_01)
    assert snapshot(bank) == before  # no withdrawal, no approval process, no outbox message, no entry


def test_a_withdrawal_waits_for_the_committee_threshold(bank, root):
    officers = committee(bank, root, threshold=2)
    _, account = funded_account(bank, root, 1_000_00)
    withdrawal = bank.deposits.initiate_withdrawal(root, account.id, 300_00)
    process_id = withdrawal.approval_process_id
    bank.governance.approve(officers[0], process_id)
    assert bank.deposits.withdrawal(root, withdrawal.id).status is WithdrawalStatus.PENDING_APPROVAL
    with pytest.raises(DepositError, match="still waiting for approval"):
        bank.deposits.confirm_withdrawal(root, withdrawal.id)
    bank.governance.approve(officers[2], process_id)
    assert bank.deposits.withdrawal(root, withdrawal.id).status is WithdrawalStatus.PENDING_CONFIRMATION
    bank.deposits.confirm_withdrawal(root, withdrawal.id)
    assert bank.deposits.balance(root, account.id).settled == 700_00


def test_a_denied_withdrawal_gives_the_funds_back(bank, root):
    officers = committee(bank, root)
    _, account = funded_account(bank, root, 1_000_00)
    withdrawal = bank.deposits.initiate_withdrawal(root, account.id, 300_00)
    bank.governance.deny(officers[1], withdrawal.approval_process_id, "customer called: not theirs")
    denied = bank.deposits.withdrawal(root, withdrawal.id)
    assert (denied.status, denied.denial_reason) == (WithdrawalStatus.DENIED, "customer called: not theirs")
    balance = bank.deposits.balance(root, account.id)
    assert (balance.settled, balance.pending) == (1_000_00, 0)


def test_a_withdrawal_cancelled_before_approval_stays_cancelled_when_the_approval_arrives(bank, root):
    officers = committee(bank, root, threshold=1)
    _, account = funded_account(bank, root, 1_000_00)
    withdrawal = bank.deposits.initiate_withdrawal(root, account.id, 300_00)
    bank.deposits.cancel_withdrawal(root, withdrawal.id)
    bank.governance.approve(officers[0], withdrawal.approval_process_id)
    assert bank.deposits.withdrawal(root, withdrawal.id).status is WithdrawalStatus.CANCELLED
    balance = bank.deposits.balance(root, account.id)
    assert (balance.settled, balance.pending) == (1_000_00, 0)


def test_a_confirmed_withdrawal_can_be_reverted_once(bank, root):
    _, account = funded_account(bank, root, 1_000_00)
    withdrawal = bank.deposits.initiate_withdrawal(root, account.id, 250_00)
    bank.deposits.confirm_withdrawal(root, withdrawal.id)
    bank.deposits.revert_withdrawal(root, withdrawal.id)
    assert bank.deposits.balance(root, account.id).settled == 1_000_00
    before = snapshot(bank)
    for step in (bank.deposits.revert_withdrawal, bank.deposits.cancel_withdrawal, bank.deposits.confirm_withdrawal):
        with pytest.raises(DepositError, match="reverted"):
            step(root, withdrawal.id)
    assert snapshot(bank) == before


def test_approval_decisions_are_acted_on_asynchronously(db, tmp_path):
    from lana_core.setup import setup

    app = Lana(db, AppConfig(inline_consumers=False, document_folder=str(tmp_path)))
    setup(app, "root@bank.example")
    root = app.actor("root@bank.example")
    _, account = funded_account(app, root, 1_000_00)
    withdrawal = app.deposits.initiate_withdrawal(root, account.id, 100_00)
    assert app.deposits.withdrawal(root, withdrawal.id).status is WithdrawalStatus.PENDING_APPROVAL
    runs = app.run_consumers()
    assert {r.consumer: r.processed for r in runs}["deposit.approval-concluded"] == 1
    assert app.deposits.withdrawal(root, withdrawal.id).status is WithdrawalStatus.PENDING_CONFIRMATION
    assert all(r.processed == 0 for r in app.run_consumers())


def test_a_frozen_account_holds_its_balance_apart_and_refuses_movements(bank, root):
    _, account = funded_account(bank, root, 500_00)
    pending = bank.deposits.initiate_withdrawal(root, account.id, 100_00)
    bank.deposits.freeze_account(root, account.id, "court order 12/2026")
    balance = bank.deposits.balance(root, account.id)
    assert (balance.settled, balance.pending, balance.frozen) == (0, 100_00, 400_00)
    assert ledger_balance(bank, "21.02") == 400_00
    before = snapshot(bank)
    for attempt in (
        lambda: bank.deposits.record_deposit(root, account.id, 1_00),
        lambda: bank.deposits.initiate_withdrawal(root, account.id, 1_00),
        lambda: bank.deposits.confirm_withdrawal(root, pending.id),
        lambda: bank.deposits.close_account(root, account.id),
        lambda: bank.deposits.freeze_account(root, account.id, "again"),
    ):
        with pytest.raises(DepositError, match="frozen"):
            attempt()
    assert snapshot(bank) == before
    bank.deposits.unfreeze_account(root, account.id)
    balance = bank.deposits.balance(root, account.id)
    assert (balance.settled, balance.frozen) == (400_00, 0)


def test_an_account_closes_only_at_zero_and_then_accepts_nothing(bank, root):
    _, account = funded_account(bank, root, 50_00)
    with pytest.raises(DepositError, match="only close at zero"):
        bank.deposits.close_account(root, account.id)
    withdrawal = bank.deposits.initiate_withdrawal(root, account.id, 50_00)
    with pytest.raises(DepositError, match="pending 5000"):
        bank.deposits.close_account(root, account.id)
    bank.deposits.confirm_withdrawal(root, withdrawal.id)
    assert bank.deposits.close_account(root, account.id).status is AccountStatus.CLOSED
    with bank.db.unit_of_work() as uow:
        assert uow.ledger.account(account.id).status.value == "locked"
    with pytest.raises(DepositError, match="closed"):
        bank.deposits.record_deposit(root, account.id, 1_00)


def test_all_of_a_customers_accounts_change_status_together(bank, root):
    customer, first = funded_account(bank, root, 10_00)
    second = bank.deposits.open_account(root, customer.id)
    closed = bank.deposits.open_account(root, customer.id)
    bank.deposits.close_account(root, closed.id)
    changed = bank.deposits.set_customer_accounts_status(root, customer.id, frozen=True, reason="review")
    assert {a.id for a in changed} == {first.id, second.id}
    statuses = {a.id: a.status for a in bank.deposits.accounts(root, customer_id=customer.id)}
    assert statuses == {first.id: AccountStatus.FROZEN, second.id: AccountStatus.FROZEN, closed.id: AccountStatus.CLOSED}
    bank.deposits.set_customer_accounts_status(root, customer.id, frozen=False)
    assert bank.deposits.balance(root, first.id).settled == 10_00


def test_the_account_history_comes_from_the_ledger(bank, root):
    _, account = funded_account(bank, root, 0)
    bank.deposits.record_deposit(root, account.id, 80_00, reference="salary")
    withdrawal = bank.deposits.initiate_withdrawal(root, account.id, 30_00, reference="rent")
    bank.deposits.confirm_withdrawal(root, withdrawal.id)
    lines = bank.deposits.history(root, account.id)
    settled = [(line.template_code, line.amount) for line in lines if line.layer == "settled"]
    assert settled == [("INITIATE_WITHDRAW", -30_00), ("RECORD_DEPOSIT", 80_00)]
    assert [line.template_code for line in lines if line.layer == "pending"] == ["CONFIRM_WITHDRAW", "INITIATE_WITHDRAW"]
    assert lines[-1].description == "Deposit salary"


def test_a_deposit_dated_in_a_closed_period_is_refused(bank, root):
    _, account = funded_account(bank, root, 10_00)
    bank.accounting.open_fiscal_year(root, 2026)
    bank.accounting.close_month(root, 2026, 1)
    before = snapshot(bank)
    with pytest.raises(PeriodClosed):
        bank.deposits.record_deposit(root, account.id, 5_00, effective_date=date(2026, 1, 20))
    assert snapshot(bank) == before


def test_after_every_flow_the_ledger_invariants_hold(bank, root):
    officers = committee(bank, root, threshold=1)
    _, account = funded_account(bank, root, 900_00)
    w = bank.deposits.initiate_withdrawal(root, account.id, 100_00)
    bank.governance.approve(officers[0], w.approval_process_id)
    bank.deposits.confirm_withdrawal(root, w.id)
    bank.deposits.freeze_account(root, account.id, "x")
    bank.deposits.unfreeze_account(root, account.id)
    with bank.db.unit_of_work() as uow:
        assert check_ledger(uow.conn) == []


def test_a_retried_deposit_or_withdrawal_with_its_key_happens_once(bank, root):
    _, account = funded_account(bank, root, 0)
    first = bank.deposits.record_deposit(root, account.id, 70_00, idempotency_key="wire-2026-0042")
    before = snapshot(bank)
    again = bank.deposits.record_deposit(root, account.id, 70_00, idempotency_key="wire-2026-0042")
    assert again.id == first.id and snapshot(bank) == before
    with pytest.raises(IdempotencyConflict, match="wire-2026-0042"):
        bank.deposits.record_deposit(root, account.id, 71_00, idempotency_key="wire-2026-0042")
    w = bank.deposits.initiate_withdrawal(root, account.id, 20_00, idempotency_key="req-9")
    assert bank.deposits.initiate_withdrawal(root, account.id, 20_00, idempotency_key="req-9").id == w.id
    assert bank.deposits.balance(root, account.id).settled == 50_00

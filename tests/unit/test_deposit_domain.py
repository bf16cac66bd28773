from uuid import uuid4

import pytest

from lana_core.customer.domain import CustomerType
from lana_core.deposit.domain import (
    AccountStatus,
    Deposit,
    DepositAccount,
    DepositAccountClosed,
    DepositAccountFrozen,
    DepositAccountOpened,
    DepositAccountUnfrozen,
    DepositError,
    DepositRecorded,
    DepositReverted,
    DepositStatus,
    Withdrawal,
    WithdrawalApproved,
    WithdrawalCancelled,
    WithdrawalConfirmed,
    WithdrawalDenied,
    WithdrawalInitiated,
    WithdrawalReverted,
    WithdrawalStatus,
)
from lana_core.errors import InvalidInput
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly, refused

NOT_AMOUNTS = [0, -1, -2500, 10.5, 100.0, True, False, "100", None]


# --- accounts -------------------------------------------------------------------------------


def an_account(status: AccountStatus = AccountStatus.ACTIVE) -> DepositAccount:
    account = DepositAccount.open(uuid4(), uuid4(), CustomerType.INDIVIDUAL, uuid4(), "DA-1")
    if status is AccountStatus.FROZEN:
        account.freeze("court order", 5000, uuid4())
    elif status is AccountStatus.CLOSED:
        account.close(0, 0)
    return account


def test_a_new_account_is_active_and_its_ledger_account_has_its_id():
    holder, frozen = uuid4(), uuid4()
    account = DepositAccount.open(uuid4(), holder, "private_company", frozen, "DA-7")
    assert account.status is AccountStatus.ACTIVE
    assert (account.holder_id, account.customer_type, account.frozen_ledger_account_id, account.reference) == (
        holder, CustomerType.PRIVATE_COMPANY, frozen, "DA-7"
    )
    assert account.ledger_account_id == account.id
    assert account.pending_events == [DepositAccountOpened(holder, CustomerType.PRIVATE_COMPANY, frozen, "DA-7")]
    account.check_active()


def test_freezing_an_active_account_records_the_amount_moved():
    account = an_account()
    tx = uuid4()
    account.freeze("court order", 5000, tx)
    assert account.status is AccountStatus.FROZEN
    assert account.pending_events[-1] == DepositAccountFrozen("court order", 5000, tx)


def test_an_empty_account_freezes_without_a_ledger_transaction():
    account = an_account()
    account.freeze("court order", 0, None)
    assert account.pending_events[-1] == DepositAccountFrozen("court order", 0, None)


def test_unfreezing_a_frozen_account_makes_it_active_again():
    account = an_account(AccountStatus.FROZEN)
    tx = uuid4()
    account.unfreeze(5000, tx)
    assert account.status is AccountStatus.ACTIVE
    assert account.pending_events[-1] == DepositAccountUnfrozen(5000, tx)
    account.check_active()


def test_an_active_account_at_zero_can_close():
    account = an_account()
    account.close(0, 0)
    assert account.status is AccountStatus.CLOSED
    assert account.pending_events[-1] == DepositAccountClosed()


@pytest.mark.parametrize("settled, pending", [(1, 0), (0, 1), (-1, 0), (0, -1), (2500, 100)])
def test_an_account_closes_only_at_zero(settled, pending):
    account = an_account()
    with refused(account, DepositError, f"deposit account DA-1 can only close at zero: settled {settled}, "
                                        f"pending {pending} cents"):
        account.close(settled, pending)


def test_a_frozen_or_closed_account_is_not_active():
    with raises_exactly(DepositError, "deposit account DA-1 is frozen"):
        an_account(AccountStatus.FROZEN).check_active()
    with raises_exactly(DepositError, "deposit account DA-1 is closed"):
        an_account(AccountStatus.CLOSED).check_active()


ACCOUNT_ACTIONS = {
    "freeze": lambda a: a.freeze("reason", 0, None),
    "unfreeze": lambda a: a.unfreeze(0, None),
    "close": lambda a: a.close(0, 0),
}
ACCOUNT_TRANSITIONS = {
    (AccountStatus.ACTIVE, "freeze"): AccountStatus.FROZEN,
    (AccountStatus.ACTIVE, "close"): AccountStatus.CLOSED,
    (AccountStatus.FROZEN, "unfreeze"): AccountStatus.ACTIVE,
}
ACCOUNT_REFUSALS = {
    (AccountStatus.ACTIVE, "unfreeze"): "deposit account DA-1 is not frozen (status: active)",
    (AccountStatus.FROZEN, "freeze"): "deposit account DA-1 is already frozen",
    (AccountStatus.FROZEN, "close"): "deposit account DA-1 is frozen",
    (AccountStatus.CLOSED, "freeze"): "deposit account DA-1 is closed",
    (AccountStatus.CLOSED, "unfreeze"): "deposit account DA-1 is not frozen (status: closed)",
    (AccountStatus.CLOSED, "close"): "deposit account DA-1 is closed",
}


def test_the_account_transition_tables_cover_every_status_and_action():
    assert set(ACCOUNT_TRANSITIONS) | set(ACCOUNT_REFUSALS) == {(s, a) for s in AccountStatus for a in ACCOUNT_ACTIONS}


@pytest.mark.parametrize("status, action", sorted(ACCOUNT_TRANSITIONS))
def test_an_account_moves_between_active_frozen_and_closed(status, action):
    account = an_account(status)
    ACCOUNT_ACTIONS[action](account)
    assert account.status is ACCOUNT_TRANSITIONS[status, action]


@pytest.mark.parametrize("status, action", sorted(ACCOUNT_REFUSALS))
def test_every_other_account_transition_is_refused(status, action):
    account = an_account(status)
    with refused(account, DepositError, ACCOUNT_REFUSALS[status, action]):
        ACCOUNT_ACTIONS[action](account)


def test_an_account_rehydrates_from_its_events():
    account = an_account()
    account.freeze("court order", 5000, uuid4())
    account.unfreeze(5000, uuid4())
    account.freeze("again", 0, None)
    account.unfreeze(0, None)
    account.close(0, 0)
    assert_rehydrates(account)


# --- deposits -------------------------------------------------------------------------------


def a_deposit() -> Deposit:
    return Deposit.record(uuid4(), uuid4(), 2500, "D-1", uuid4())


def test_a_deposit_is_confirmed_when_recorded():
    account, tx = uuid4(), uuid4()
    deposit = Deposit.record(uuid4(), account, 2500, "D-1", tx)
    assert (deposit.account_id, deposit.amount, deposit.reference, deposit.status, deposit.ledger_transaction_ids) == (
        account, 2500, "D-1", DepositStatus.CONFIRMED, (tx,)
    )
    assert deposit.pending_events == [DepositRecorded(account, 2500, "D-1", tx)]


@pytest.mark.parametrize("amount", NOT_AMOUNTS)
def test_a_deposit_needs_a_positive_whole_number_of_cents(amount):
    with raises_exactly(InvalidInput, f"the amount must be a positive number of cents, got {amount!r}"):
        Deposit.record(uuid4(), uuid4(), amount, "D-1", uuid4())


def test_reverting_a_deposit_keeps_both_ledger_transactions():
    deposit = a_deposit()
    tx = uuid4()
    deposit.revert(tx)
    assert deposit.status is DepositStatus.REVERTED
    assert deposit.ledger_transaction_ids[1:] == (tx,)
    assert deposit.pending_events[-1] == DepositReverted(tx)


def test_a_deposit_is_reverted_only_once():
    deposit = a_deposit()
    deposit.revert(uuid4())
    with refused(deposit, DepositError, "deposit D-1 is already reverted"):
        deposit.revert(uuid4())


def test_a_deposit_rehydrates_from_its_events():
    deposit = a_deposit()
    deposit.revert(uuid4())
    assert_rehydrates(deposit)


# --- withdrawals ----------------------------------------------------------------------------


def a_withdrawal() -> Withdrawal:
    return Withdrawal.initiate(uuid4(), uuid4(), 2500, "W-1", uuid4(), uuid4())


WITHDRAWAL_PATHS = {
    WithdrawalStatus.PENDING_APPROVAL: [],
    WithdrawalStatus.PENDING_CONFIRMATION: ["approve"],
    WithdrawalStatus.DENIED: ["deny"],
    WithdrawalStatus.CONFIRMED: ["approve", "confirm"],
    WithdrawalStatus.CANCELLED: ["cancel"],
    WithdrawalStatus.REVERTED: ["approve", "confirm", "revert"],
}
WITHDRAWAL_ACTIONS = {
    "approve": lambda w: w.approve(),
    "deny": lambda w: w.deny("amount above the limit", uuid4()),
    "confirm": lambda w: w.confirm(uuid4()),
    "cancel": lambda w: w.cancel(uuid4()),
    "revert": lambda w: w.revert(uuid4()),
}
WITHDRAWAL_TRANSITIONS = {
    (WithdrawalStatus.PENDING_APPROVAL, "approve"): WithdrawalStatus.PENDING_CONFIRMATION,
    (WithdrawalStatus.PENDING_APPROVAL, "deny"): WithdrawalStatus.DENIED,
    (WithdrawalStatus.PENDING_APPROVAL, "cancel"): WithdrawalStatus.CANCELLED,
    (WithdrawalStatus.PENDING_CONFIRMATION, "confirm"): WithdrawalStatus.CONFIRMED,
    (WithdrawalStatus.PENDING_CONFIRMATION, "cancel"): WithdrawalStatus.CANCELLED,
    (WithdrawalStatus.CONFIRMED, "revert"): WithdrawalStatus.REVERTED,
}
REFUSED_WITHDRAWAL_TRANSITIONS = sorted(
    (status, action) for status in WithdrawalStatus for action in WITHDRAWAL_ACTIONS
    if (status, action) not in WITHDRAWAL_TRANSITIONS
)
PAST_PARTICIPLES = {"approve": "approved", "deny": "denied", "confirm": "confirmed", "revert": "reverted"}


def a_withdrawal_in(status: WithdrawalStatus) -> Withdrawal:
    withdrawal = a_withdrawal()
    for action in WITHDRAWAL_PATHS[status]:
        WITHDRAWAL_ACTIONS[action](withdrawal)
    assert withdrawal.status is status
    return withdrawal


def test_a_new_withdrawal_waits_for_approval_with_its_reservation():
    account, process, tx = uuid4(), uuid4(), uuid4()
    withdrawal = Withdrawal.initiate(uuid4(), account, 2500, "W-1", process, tx)
    assert withdrawal.status is WithdrawalStatus.PENDING_APPROVAL
    assert (withdrawal.account_id, withdrawal.amount, withdrawal.reference, withdrawal.approval_process_id,
            withdrawal.denial_reason, withdrawal.ledger_transaction_ids) == (account, 2500, "W-1", process, None, (tx,))
    assert withdrawal.pending_events == [WithdrawalInitiated(account, 2500, "W-1", process, tx)]


@pytest.mark.parametrize("amount", NOT_AMOUNTS)
def test_a_withdrawal_needs_a_positive_whole_number_of_cents(amount):
    with raises_exactly(InvalidInput, f"the amount must be a positive number of cents, got {amount!r}"):
        Withdrawal.initiate(uuid4(), uuid4(), amount, "W-1", uuid4(), uuid4())


def test_an_approved_withdrawal_waits_for_confirmation():
    withdrawal = a_withdrawal()
    withdrawal.approve()
    assert withdrawal.status is WithdrawalStatus.PENDING_CONFIRMATION
    assert withdrawal.pending_events[-1] == WithdrawalApproved()
    assert len(withdrawal.ledger_transaction_ids) == 1


def test_a_denied_withdrawal_keeps_the_reason_and_the_release_of_its_reservation():
    withdrawal = a_withdrawal()
    tx = uuid4()
    withdrawal.deny("amount above the limit", tx)
    assert (withdrawal.status, withdrawal.denial_reason) == (WithdrawalStatus.DENIED, "amount above the limit")
    assert withdrawal.ledger_transaction_ids[1:] == (tx,)
    assert withdrawal.pending_events[-1] == WithdrawalDenied("amount above the limit", tx)


def test_a_withdrawal_is_confirmed_after_approval():
    withdrawal = a_withdrawal_in(WithdrawalStatus.PENDING_CONFIRMATION)
    tx = uuid4()
    withdrawal.confirm(tx)
    assert withdrawal.status is WithdrawalStatus.CONFIRMED
    assert withdrawal.ledger_transaction_ids[1:] == (tx,)
    assert withdrawal.pending_events[-1] == WithdrawalConfirmed(tx)


@pytest.mark.parametrize("status", [WithdrawalStatus.PENDING_APPROVAL, WithdrawalStatus.PENDING_CONFIRMATION])
def test_a_withdrawal_can_be_cancelled_until_it_is_confirmed(status):
    withdrawal = a_withdrawal_in(status)
    tx = uuid4()
    withdrawal.cancel(tx)
    assert withdrawal.status is WithdrawalStatus.CANCELLED
    assert withdrawal.ledger_transaction_ids[-1] == tx
    assert withdrawal.pending_events[-1] == WithdrawalCancelled(tx)


def test_a_confirmed_withdrawal_can_be_reverted():
    withdrawal = a_withdrawal_in(WithdrawalStatus.CONFIRMED)
    tx = uuid4()
    withdrawal.revert(tx)
    assert withdrawal.status is WithdrawalStatus.REVERTED
    assert len(withdrawal.ledger_transaction_ids) == 3
    assert withdrawal.ledger_transaction_ids[-1] == tx
    assert withdrawal.pending_events[-1] == WithdrawalReverted(tx)


@pytest.mark.parametrize("status, action", sorted(WITHDRAWAL_TRANSITIONS))
def test_a_withdrawal_moves_only_along_its_state_machine(status, action):
    withdrawal = a_withdrawal_in(status)
    WITHDRAWAL_ACTIONS[action](withdrawal)
    assert withdrawal.status is WITHDRAWAL_TRANSITIONS[status, action]
    assert withdrawal.version == len(WITHDRAWAL_PATHS[status]) + 2


@pytest.mark.parametrize("status, action", REFUSED_WITHDRAWAL_TRANSITIONS)
def test_every_other_withdrawal_transition_is_refused(status, action):
    withdrawal = a_withdrawal_in(status)
    if action == "cancel":
        message = f"withdrawal W-1 is {status} and can no longer be cancelled"
    elif (status, action) == (WithdrawalStatus.PENDING_APPROVAL, "confirm"):
        message = "withdrawal W-1 is still waiting for approval"
    else:
        message = f"withdrawal W-1 is {status}: it cannot be {PAST_PARTICIPLES[action]}"
    with refused(withdrawal, DepositError, message):
        WITHDRAWAL_ACTIONS[action](withdrawal)


def test_the_withdrawal_state_machine_has_six_transitions_and_twenty_four_refusals():
    assert len(WITHDRAWAL_TRANSITIONS) == 6
    assert len(REFUSED_WITHDRAWAL_TRANSITIONS) == len(WithdrawalStatus) * len(WITHDRAWAL_ACTIONS) - 6 == 24


@pytest.mark.parametrize("status", list(WITHDRAWAL_PATHS))
def test_a_withdrawal_rehydrates_from_its_events(status):
    assert_rehydrates(a_withdrawal_in(status))


def test_a_withdrawal_cancelled_after_approval_rehydrates_from_its_events():
    withdrawal = a_withdrawal()
    withdrawal.approve()
    withdrawal.cancel(uuid4())
    assert_rehydrates(withdrawal)

"""Deposit accounts, deposits and withdrawals. Plain Python: no database here.

Money is integer cents (USD). The ledger holds the balances; these entities hold the lifecycle
and the ids of the ledger transactions each step posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from lana_core.customer.domain import CustomerType
from lana_core.errors import InvalidInput, LanaError
from lana_core.eventsourcing import Aggregate, Event


class DepositError(LanaError):
    pass


class AccountStatus(StrEnum):
    ACTIVE = "active"
    FROZEN = "frozen"  # balance moved to the frozen account; no deposits or withdrawals
    CLOSED = "closed"  # final; only at a zero balance


# --- accounts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DepositAccountOpened(Event):
    holder_id: UUID
    customer_type: CustomerType
    frozen_ledger_account_id: UUID
    reference: str


@dataclass(frozen=True)
class DepositAccountFrozen(Event):
    reason: str
    amount: int  # cents moved to the frozen account
    ledger_transaction_id: UUID | None
    with_customer: bool = False  # frozen because its holder was (and unfrozen with them)


@dataclass(frozen=True)
class DepositAccountUnfrozen(Event):
    amount: int
    ledger_transaction_id: UUID | None


@dataclass(frozen=True)
class DepositAccountClosed(Event):
    pass


class DepositAccount(Aggregate):
    """A customer's USD account.

    holder_id: the customer; customer_type: decides the chart node; the ledger account has the
    account's own id, the frozen one ``frozen_ledger_account_id``; reference: a human label.
    """

    stream_type = "deposit_account"
    event_types = (DepositAccountOpened, DepositAccountFrozen, DepositAccountUnfrozen, DepositAccountClosed)

    holder_id: UUID
    customer_type: CustomerType
    frozen_ledger_account_id: UUID
    reference: str
    status: AccountStatus
    frozen_with_customer: bool  # the freeze came from the holder's freeze

    @classmethod
    def open(cls, id: UUID, holder_id: UUID, customer_type: CustomerType, frozen_id: UUID,
             reference: str) -> DepositAccount:
        account = cls(id)
        account._record(DepositAccountOpened(holder_id, CustomerType(customer_type), frozen_id, reference))
        return account

    @property
    def ledger_account_id(self) -> UUID:
        return self.id

    def check_active(self) -> None:
        if self.status is AccountStatus.FROZEN:
            raise DepositError(f"deposit account {self.reference} is frozen")
        if self.status is AccountStatus.CLOSED:
            raise DepositError(f"deposit account {self.reference} is closed")

    def freeze(self, reason: str, amount: int, ledger_transaction_id: UUID | None, *,
               with_customer: bool = False) -> None:
        if self.status is AccountStatus.CLOSED:
            raise DepositError(f"deposit account {self.reference} is closed")
        if self.status is AccountStatus.FROZEN:
            raise DepositError(f"deposit account {self.reference} is already frozen")
        self._record(DepositAccountFrozen(reason, amount, ledger_transaction_id, with_customer))

    def unfreeze(self, amount: int, ledger_transaction_id: UUID | None) -> None:
        if self.status is not AccountStatus.FROZEN:
            raise DepositError(f"deposit account {self.reference} is not frozen (status: {self.status})")
        self._record(DepositAccountUnfrozen(amount, ledger_transaction_id))

    def close(self, settled: int, pending: int) -> None:
        self.check_active()
        if settled or pending:
            raise DepositError(
                f"deposit account {self.reference} can only close at zero: settled {settled}, pending {pending} cents"
            )
        self._record(DepositAccountClosed())

    def _apply(self, event: Event) -> None:
        match event:
            case DepositAccountOpened(holder_id, customer_type, frozen_id, reference):
                self.holder_id, self.customer_type = holder_id, customer_type
                self.frozen_ledger_account_id, self.reference = frozen_id, reference
                self.status, self.frozen_with_customer = AccountStatus.ACTIVE, False
            case DepositAccountFrozen(with_customer=with_customer):
                self.status, self.frozen_with_customer = AccountStatus.FROZEN, with_customer
            case DepositAccountUnfrozen():
                self.status, self.frozen_with_customer = AccountStatus.ACTIVE, False
            case DepositAccountClosed():
                self.status = AccountStatus.CLOSED


# --- deposits -----------------------------------------------------------------------------


class DepositStatus(StrEnum):
    CONFIRMED = "confirmed"
    REVERTED = "reverted"


@dataclass(frozen=True)
class DepositRecorded(Event):
    account_id: UUID
    amount: int
    reference: str
    ledger_transaction_id: UUID


@dataclass(frozen=True)
class DepositReverted(Event):
    ledger_transaction_id: UUID


class Deposit(Aggregate):
    """Money received for an account, recorded at once (amount in cents)."""

    stream_type = "deposit"
    event_types = (DepositRecorded, DepositReverted)

    account_id: UUID
    amount: int
    reference: str
    status: DepositStatus
    ledger_transaction_ids: tuple[UUID, ...]

    @classmethod
    def record(cls, id: UUID, account_id: UUID, amount: int, reference: str, ledger_tx: UUID) -> Deposit:
        _check_amount(amount)
        deposit = cls(id)
        deposit._record(DepositRecorded(account_id, amount, reference, ledger_tx))
        return deposit

    def revert(self, ledger_tx: UUID) -> None:
        if self.status is DepositStatus.REVERTED:
            raise DepositError(f"deposit {self.reference} is already reverted")
        self._record(DepositReverted(ledger_tx))

    def _apply(self, event: Event) -> None:
        match event:
            case DepositRecorded(account_id, amount, reference, tx):
                self.account_id, self.amount, self.reference = account_id, amount, reference
                self.status, self.ledger_transaction_ids = DepositStatus.CONFIRMED, (tx,)
            case DepositReverted(tx):
                self.status, self.ledger_transaction_ids = DepositStatus.REVERTED, (*self.ledger_transaction_ids, tx)


# --- withdrawals --------------------------------------------------------------------------


class WithdrawalStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    PENDING_CONFIRMATION = "pending_confirmation"  # approved, waiting for the payout
    CONFIRMED = "confirmed"
    DENIED = "denied"
    CANCELLED = "cancelled"
    REVERTED = "reverted"


@dataclass(frozen=True)
class WithdrawalInitiated(Event):
    account_id: UUID
    amount: int
    reference: str
    approval_process_id: UUID
    ledger_transaction_id: UUID


@dataclass(frozen=True)
class WithdrawalApproved(Event):
    pass


@dataclass(frozen=True)
class WithdrawalDenied(Event):
    reason: str
    ledger_transaction_id: UUID


@dataclass(frozen=True)
class WithdrawalConfirmed(Event):
    ledger_transaction_id: UUID


@dataclass(frozen=True)
class WithdrawalCancelled(Event):
    ledger_transaction_id: UUID


@dataclass(frozen=True)
class WithdrawalReverted(Event):
    ledger_transaction_id: UUID


class Withdrawal(Aggregate):
    """Money leaving an account. Reserved at initiation; approved (or denied) by governance;
    then confirmed when paid out, or cancelled. A confirmed withdrawal can be reverted."""

    stream_type = "withdrawal"
    event_types = (WithdrawalInitiated, WithdrawalApproved, WithdrawalDenied, WithdrawalConfirmed,
                   WithdrawalCancelled, WithdrawalReverted)

    account_id: UUID
    amount: int
    reference: str
    approval_process_id: UUID
    status: WithdrawalStatus
    denial_reason: str | None
    ledger_transaction_ids: tuple[UUID, ...]

    @classmethod
    def initiate(cls, id: UUID, account_id: UUID, amount: int, reference: str, process_id: UUID,
                 ledger_tx: UUID) -> Withdrawal:
        _check_amount(amount)
        withdrawal = cls(id)
        withdrawal._record(WithdrawalInitiated(account_id, amount, reference, process_id, ledger_tx))
        return withdrawal

    def approve(self) -> None:
        self._check(WithdrawalStatus.PENDING_APPROVAL, "approved")
        self._record(WithdrawalApproved())

    def deny(self, reason: str, ledger_tx: UUID) -> None:
        self._check(WithdrawalStatus.PENDING_APPROVAL, "denied")
        self._record(WithdrawalDenied(reason, ledger_tx))

    def confirm(self, ledger_tx: UUID) -> None:
        if self.status is WithdrawalStatus.PENDING_APPROVAL:
            raise DepositError(f"withdrawal {self.reference} is still waiting for approval")
        self._check(WithdrawalStatus.PENDING_CONFIRMATION, "confirmed")
        self._record(WithdrawalConfirmed(ledger_tx))

    def cancel(self, ledger_tx: UUID) -> None:
        if self.status not in (WithdrawalStatus.PENDING_APPROVAL, WithdrawalStatus.PENDING_CONFIRMATION):
            raise DepositError(f"withdrawal {self.reference} is {self.status} and can no longer be cancelled")
        self._record(WithdrawalCancelled(ledger_tx))

    def revert(self, ledger_tx: UUID) -> None:
        self._check(WithdrawalStatus.CONFIRMED, "reverted")
        self._record(WithdrawalReverted(ledger_tx))

    def _check(self, expected: WithdrawalStatus, verb: str) -> None:
        if self.status is not expected:
            raise DepositError(f"withdrawal {self.reference} is {self.status}: it cannot be {verb}")

    def _apply(self, event: Event) -> None:
        match event:
            case WithdrawalInitiated(account_id, amount, reference, process_id, tx):
                self.account_id, self.amount, self.reference = account_id, amount, reference
                self.approval_process_id, self.status = process_id, WithdrawalStatus.PENDING_APPROVAL
                self.denial_reason, self.ledger_transaction_ids = None, (tx,)
            case WithdrawalApproved():
                self.status = WithdrawalStatus.PENDING_CONFIRMATION
            case WithdrawalDenied(reason, tx):
                self.status, self.denial_reason = WithdrawalStatus.DENIED, reason
                self.ledger_transaction_ids = (*self.ledger_transaction_ids, tx)
            case WithdrawalConfirmed(tx):
                self.status, self.ledger_transaction_ids = WithdrawalStatus.CONFIRMED, (*self.ledger_transaction_ids, tx)
            case WithdrawalCancelled(tx):
                self.status, self.ledger_transaction_ids = WithdrawalStatus.CANCELLED, (*self.ledger_transaction_ids, tx)
            case WithdrawalReverted(tx):
                self.status, self.ledger_transaction_ids = WithdrawalStatus.REVERTED, (*self.ledger_transaction_ids, tx)


def _check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(f"the amount must be a positive number of cents, got {amount!r}")

"""Operations on deposit accounts, deposits and withdrawals, and the consumers that follow
governance decisions and customer status changes.

Every money movement posts its ledger transaction (deposit/ledger.py templates) in the same
database transaction as the entity's events. Operations that depend on an account staying
active hold a shared lock on it; freezing and closing take it exclusively, so a deposit cannot
land between reading a balance and freezing it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from lana_core.access.domain import Actor
from lana_core.customer.domain import (
    Customer,
    CustomerActivity,
    CustomerActivityChanged,
    CustomerFrozen,
    CustomerStatus,
    CustomerUnfrozen,
)
from lana_core.db import UnitOfWork
from lana_core.deposit import ledger as deposit_ledger
from lana_core.deposit.domain import (
    AccountStatus,
    Deposit,
    DepositAccount,
    DepositError,
    Withdrawal,
    WithdrawalStatus,
)
from lana_core.errors import InvalidInput, LanaError
from lana_core.eventsourcing import Consumer, Message
from lana_core.governance.domain import ApprovalProcessConcluded, ProcessType
from lana_core.ledger import IdempotencyConflict, Layer
from lana_core.money import Currency

if TYPE_CHECKING:
    from lana_core.app import Lana


@dataclass(frozen=True)
class AccountBalance:
    """In cents. settled: what the customer can use now (withdrawals in flight already taken
    out); pending: withdrawals reserved but not yet paid out or released; frozen: funds held
    while the account is frozen."""

    account_id: UUID
    settled: int
    pending: int
    frozen: int

    @property
    def available(self) -> int:
        return self.settled


@dataclass(frozen=True)
class HistoryLine:
    """One ledger entry on the account: amount in cents, signed for the customer (+ in, - out)."""

    effective_date: date
    recorded_at: datetime
    transaction_id: UUID
    template_code: str | None
    description: str | None
    layer: str
    account: str  # deposit or frozen
    amount: int


class DepositService:
    def __init__(self, app: Lana) -> None:
        self.app = app

    def consumers(self) -> list[Consumer]:
        return [ApprovalConcludedConsumer(self), CustomerStatusConsumer(self)]

    # --- accounts -----------------------------------------------------------------------

    def open_account(self, actor: Actor, customer_id: UUID, reference: str | None = None) -> DepositAccount:
        with self.app.operation(actor, "deposit/deposit-account/*", "deposit:deposit-account:create") as uow:
            customer = self.app.customers.eligible_for_product(uow, customer_id)
            if uow.ledger.find_account_set(deposit_ledger.deposit_set(customer.customer_type)) is None:
                raise LanaError("the deposit module's ledger accounts are missing: run `lana setup`")
            account_id, frozen_id = self.app.db.ids(), self.app.db.ids()
            reference = reference or f"DA-{account_id.hex[-8:].upper()}"
            deposit_ledger.open_ledger_accounts(uow.ledger, account_id, frozen_id, customer.customer_type,
                                                customer.name)
            account = DepositAccount.open(account_id, customer.id, customer.customer_type, frozen_id, reference)
            uow.events.save(account)
            return account

    def freeze_account(self, actor: Actor, account_id: UUID, reason: str) -> DepositAccount:
        with self.app.operation(actor, f"deposit/deposit-account/{account_id}", "deposit:deposit-account:freeze") as uow:
            return self._freeze(uow, account_id, reason)

    def unfreeze_account(self, actor: Actor, account_id: UUID) -> DepositAccount:
        with self.app.operation(actor, f"deposit/deposit-account/{account_id}",
                                "deposit:deposit-account:unfreeze") as uow:
            return self._unfreeze(uow, account_id)

    def close_account(self, actor: Actor, account_id: UUID) -> DepositAccount:
        with self.app.operation(actor, f"deposit/deposit-account/{account_id}", "deposit:deposit-account:close") as uow:
            uow.events.lock(account_id)
            account = uow.events.load(DepositAccount, account_id)
            balance = uow.ledger.balance(account.ledger_account_id, Currency.USD)
            account.close(balance.amount(Layer.SETTLED), balance.amount(Layer.PENDING))
            uow.events.save(account)
            uow.ledger.lock_account(account.ledger_account_id)
            uow.ledger.lock_account(account.frozen_ledger_account_id)
            return account

    def set_customer_accounts_status(self, actor: Actor, customer_id: UUID, *, frozen: bool,
                                     reason: str = "") -> list[DepositAccount]:
        """Freeze (or unfreeze) every account of a customer that is not closed or already so."""
        action = "freeze" if frozen else "unfreeze"
        with self.app.operation(actor, f"deposit/deposit-account/{customer_id}",
                                "deposit:deposit-account:update-status") as uow:
            uow.events.load(Customer, customer_id)
            return self._set_customer_accounts(uow, customer_id, frozen, reason or f"customer accounts {action} ")

    def _set_customer_accounts(self, uow: UnitOfWork, customer_id: UUID, frozen: bool, reason: str, *,
                               with_customer: bool = False) -> list[DepositAccount]:
        """Freeze the active accounts, or unfreeze the frozen ones. ``with_customer``: follow the
        customer's own status: freezes are marked so, and only such freezes are lifted."""
        changed = []
        for account in self._customer_accounts(uow, customer_id):
            if frozen and account.status is AccountStatus.ACTIVE:
                changed.append(self._freeze(uow, account.id, reason, with_customer=with_customer))
            elif (not frozen and account.status is AccountStatus.FROZEN
                  and (account.frozen_with_customer or not with_customer)):
                changed.append(self._unfreeze(uow, account.id))
        return changed

    def _freeze(self, uow: UnitOfWork, account_id: UUID, reason: str, *,
                with_customer: bool = False) -> DepositAccount:
        uow.events.lock(account_id)
        account = uow.events.load(DepositAccount, account_id)
        amount = uow.ledger.balance(account.ledger_account_id, Currency.USD).amount(Layer.SETTLED)
        tx_id = self.app.db.ids() if amount > 0 else None
        account.freeze(reason.strip() or "frozen", max(amount, 0), tx_id, with_customer=with_customer)
        if tx_id:
            uow.ledger.post(deposit_ledger.FREEZE_ACCOUNT, {
                "deposit": account.ledger_account_id, "frozen": account.frozen_ledger_account_id,
                "amount": amount, "reference": account.reference,
            }, transaction_id=tx_id, idempotency_key=f"deposit_account:{account.id}:freeze:{account.version}")
        uow.events.save(account)
        return account

    def _unfreeze(self, uow: UnitOfWork, account_id: UUID) -> DepositAccount:
        uow.events.lock(account_id)
        account = uow.events.load(DepositAccount, account_id)
        amount = uow.ledger.balance(account.frozen_ledger_account_id, Currency.USD).amount(Layer.SETTLED)
        tx_id = self.app.db.ids() if amount > 0 else None
        account.unfreeze(max(amount, 0), tx_id)
        if tx_id:
            uow.ledger.post(deposit_ledger.UNFREEZE_ACCOUNT, {
                "deposit": account.ledger_account_id, "frozen": account.frozen_ledger_account_id,
                "amount": amount, "reference": account.reference,
            }, transaction_id=tx_id, idempotency_key=f"deposit_account:{account.id}:unfreeze:{account.version}")
        uow.events.save(account)
        return account

    def accounts(self, actor: Actor, *, customer_id: UUID | None = None,
                 status: AccountStatus | None = None) -> list[DepositAccount]:
        with self.app.operation(actor, "deposit/deposit-account/*", "deposit:deposit-account:list") as uow:
            return uow.events.find_all(
                DepositAccount,
                "(%s::text IS NULL OR state->>'holder_id' = %s) AND (%s::text IS NULL OR state->>'status' = %s)",
                (customer_id and str(customer_id), customer_id and str(customer_id), status, status),
            )

    def account(self, actor: Actor, account_id: UUID) -> DepositAccount:
        with self.app.operation(actor, f"deposit/deposit-account/{account_id}", "deposit:deposit-account:read") as uow:
            return uow.events.load(DepositAccount, account_id)

    def balance(self, actor: Actor, account_id: UUID) -> AccountBalance:
        with self.app.operation(actor, f"deposit/deposit-account/{account_id}",
                                "deposit:deposit-account:read-balance") as uow:
            return self._balance(uow, uow.events.load(DepositAccount, account_id))

    def _balance(self, uow: UnitOfWork, account: DepositAccount) -> AccountBalance:
        main = uow.ledger.balance(account.ledger_account_id, Currency.USD)
        frozen = uow.ledger.balance(account.frozen_ledger_account_id, Currency.USD)
        return AccountBalance(account.id, main.amount(Layer.SETTLED), main.amount(Layer.PENDING),
                              frozen.amount(Layer.SETTLED))

    def history(self, actor: Actor, account_id: UUID, *, limit: int = 100) -> list[HistoryLine]:
        """The account's ledger entries, newest first."""
        with self.app.operation(actor, f"deposit/deposit-account/{account_id}",
                                "deposit:deposit-account:read-tx-history") as uow:
            account = uow.events.load(DepositAccount, account_id)
            rows = uow.conn.execute(
                """
                SELECT e.effective_date, e.recorded_at, e.transaction_id, t.template_code,
                       coalesce(e.description, t.description), e.layer,
                       CASE WHEN e.account_id = %(main)s THEN 'deposit' ELSE 'frozen' END,
                       CASE e.direction WHEN 'credit' THEN e.amount ELSE -e.amount END
                  FROM ledger.entries e JOIN ledger.transactions t ON t.id = e.transaction_id
                 WHERE e.account_id IN (%(main)s, %(frozen)s) AND e.currency = 'USD'
                 ORDER BY e.recorded_at DESC, e.transaction_id DESC, e.entry_index DESC
                 LIMIT %(limit)s
                """,
                {"main": account.ledger_account_id, "frozen": account.frozen_ledger_account_id, "limit": limit},
            )
            return [HistoryLine(*row) for row in rows]

    def _customer_accounts(self, uow: UnitOfWork, customer_id: UUID) -> list[DepositAccount]:
        return uow.events.find_all(DepositAccount, "state->>'holder_id' = %s", (str(customer_id),))

    def _active_account(self, uow: UnitOfWork, account_id: UUID) -> DepositAccount:
        uow.events.lock(account_id, shared=True)
        account = uow.events.load(DepositAccount, account_id)
        account.check_active()
        return account

    # --- deposits -----------------------------------------------------------------------

    def record_deposit(self, actor: Actor, account_id: UUID, amount: int, *, reference: str | None = None,
                       effective_date: date | None = None, idempotency_key: str | None = None) -> Deposit:
        """Record money received. With ``idempotency_key`` (e.g. the bank's wire id), a retry of
        the same request returns the first deposit; the same key for another request is refused."""
        with self.app.operation(actor, f"deposit/deposit/{account_id}", "deposit:deposit:create") as uow:
            deposit_id = _keyed_id("deposit", idempotency_key) or self.app.db.ids()
            earlier = uow.events.find(Deposit, deposit_id) if idempotency_key else None
            if earlier is not None:
                return _same_request(earlier, idempotency_key, account_id, amount, reference)
            account = self._active_account(uow, account_id)
            tx_id = self.app.db.ids()
            reference = reference or f"DEP-{deposit_id.hex[-8:].upper()}"
            deposit = Deposit.record(deposit_id, account.id, amount, reference, tx_id)
            uow.ledger.post(deposit_ledger.RECORD_DEPOSIT, {
                "omnibus": deposit_ledger.OMNIBUS, "deposit": account.ledger_account_id,
                "amount": amount, "reference": reference,
            }, transaction_id=tx_id, idempotency_key=f"deposit:{deposit_id}", effective_date=effective_date)
            uow.events.save(deposit)
            return deposit

    def revert_deposit(self, actor: Actor, deposit_id: UUID) -> Deposit:
        with self.app.operation(actor, f"deposit/deposit/{deposit_id}", "deposit:deposit:revert") as uow:
            deposit = uow.events.load(Deposit, deposit_id)
            account = self._active_account(uow, deposit.account_id)
            tx_id = self.app.db.ids()
            deposit.revert(tx_id)
            uow.ledger.post(deposit_ledger.REVERT_DEPOSIT, {
                "omnibus": deposit_ledger.OMNIBUS, "deposit": account.ledger_account_id,
                "amount": deposit.amount, "reference": deposit.reference,
            }, transaction_id=tx_id, idempotency_key=f"deposit:{deposit_id}:revert")
            uow.events.save(deposit)
            return deposit

    def deposits(self, actor: Actor, account_id: UUID) -> list[Deposit]:
        with self.app.operation(actor, f"deposit/deposit/{account_id}", "deposit:deposit:list") as uow:
            return uow.events.find_all(Deposit, "state->>'account_id' = %s", (str(account_id),))

    # --- withdrawals --------------------------------------------------------------------

    def initiate_withdrawal(self, actor: Actor, account_id: UUID, amount: int, *,
                            reference: str | None = None, idempotency_key: str | None = None) -> Withdrawal:
        """Reserve the funds at once and start the approval; the decision comes through the outbox.
        ``idempotency_key``: as for deposits, a retry returns the first withdrawal."""
        with self.app.operation(actor, f"deposit/withdrawal/{account_id}", "deposit:withdrawal:initiate") as uow:
            withdrawal_id = _keyed_id("withdrawal", idempotency_key) or self.app.db.ids()
            earlier = uow.events.find(Withdrawal, withdrawal_id) if idempotency_key else None
            if earlier is not None:
                return _same_request(earlier, idempotency_key, account_id, amount, reference)
            account = self._active_account(uow, account_id)
            tx_id = self.app.db.ids()
            reference = reference or f"WD-{withdrawal_id.hex[-8:].upper()}"
            uow.ledger.post(deposit_ledger.INITIATE_WITHDRAW, {
                "omnibus": deposit_ledger.OMNIBUS, "deposit": account.ledger_account_id,
                "amount": amount, "reference": reference,
            }, transaction_id=tx_id, idempotency_key=f"withdrawal:{withdrawal_id}:initiate")
            process = self.app.governance.start_process(uow, ProcessType.WITHDRAW, withdrawal_id)
            withdrawal = Withdrawal.initiate(withdrawal_id, account.id, amount, reference, process.id, tx_id)
            uow.events.save(withdrawal)
            return withdrawal

    def confirm_withdrawal(self, actor: Actor, withdrawal_id: UUID) -> Withdrawal:
        return self._withdrawal_step(actor, withdrawal_id, "confirm", deposit_ledger.CONFIRM_WITHDRAW,
                                     lambda w, tx: w.confirm(tx))

    def cancel_withdrawal(self, actor: Actor, withdrawal_id: UUID) -> Withdrawal:
        return self._withdrawal_step(actor, withdrawal_id, "cancel", deposit_ledger.CANCEL_WITHDRAW,
                                     lambda w, tx: w.cancel(tx))

    def revert_withdrawal(self, actor: Actor, withdrawal_id: UUID) -> Withdrawal:
        return self._withdrawal_step(actor, withdrawal_id, "revert", deposit_ledger.REVERT_WITHDRAW,
                                     lambda w, tx: w.revert(tx))

    def _withdrawal_step(self, actor: Actor, withdrawal_id: UUID, verb: str, template, change) -> Withdrawal:  # type: ignore[no-untyped-def]
        with self.app.operation(actor, f"deposit/withdrawal/{withdrawal_id}", f"deposit:withdrawal:{verb}") as uow:
            withdrawal = uow.events.load(Withdrawal, withdrawal_id)
            tx_id = self.app.db.ids()
            change(withdrawal, tx_id)  # the state check comes before any posting
            account = self._active_account(uow, withdrawal.account_id)
            uow.ledger.post(template, {
                "omnibus": deposit_ledger.OMNIBUS, "deposit": account.ledger_account_id,
                "amount": withdrawal.amount, "reference": withdrawal.reference,
            }, transaction_id=tx_id, idempotency_key=f"withdrawal:{withdrawal_id}:{verb}")
            uow.events.save(withdrawal)
            return withdrawal

    def conclude_withdrawal(self, uow: UnitOfWork, withdrawal_id: UUID, approved: bool, reason: str | None) -> None:
        """Governance decided. A withdrawal cancelled meanwhile stays cancelled."""
        withdrawal = uow.events.find(Withdrawal, withdrawal_id)
        if withdrawal is None or withdrawal.status is not WithdrawalStatus.PENDING_APPROVAL:
            return
        if approved:
            withdrawal.approve()
        else:
            account = uow.events.load(DepositAccount, withdrawal.account_id)
            tx_id = self.app.db.ids()
            withdrawal.deny(reason or "denied", tx_id)
            # Denial gives the reserved funds back whatever the account's status now.
            uow.ledger.post(deposit_ledger.DENY_WITHDRAW, {
                "omnibus": deposit_ledger.OMNIBUS, "deposit": account.ledger_account_id,
                "amount": withdrawal.amount, "reference": withdrawal.reference,
            }, transaction_id=tx_id, idempotency_key=f"withdrawal:{withdrawal_id}:deny")
        uow.events.save(withdrawal)

    def withdrawals(self, actor: Actor, *, account_id: UUID | None = None,
                    status: WithdrawalStatus | None = None) -> list[Withdrawal]:
        with self.app.operation(actor, "deposit/withdrawal/*", "deposit:withdrawal:list") as uow:
            return uow.events.find_all(
                Withdrawal,
                "(%s::text IS NULL OR state->>'account_id' = %s) AND (%s::text IS NULL OR state->>'status' = %s)",
                (account_id and str(account_id), account_id and str(account_id), status, status),
            )

    def withdrawal(self, actor: Actor, withdrawal_id: UUID) -> Withdrawal:
        with self.app.operation(actor, f"deposit/withdrawal/{withdrawal_id}", "deposit:withdrawal:read") as uow:
            return uow.events.load(Withdrawal, withdrawal_id)


_KEYS = uuid.UUID("9d3c1f40-6b8e-4c1a-a2f5-3e7b0d6c5a21")


def _keyed_id(kind: str, key: str | None) -> UUID | None:
    """The entity id a caller's idempotency key stands for (the same key, the same id)."""
    if key is None:
        return None
    if not key.strip():
        raise InvalidInput("an idempotency key cannot be blank")
    return uuid.uuid5(_KEYS, f"{kind}:{key}")


def _same_request(earlier: Deposit | Withdrawal, key: str | None, account_id: UUID, amount: int,
                  reference: str | None) -> Deposit | Withdrawal:
    if (earlier.account_id, earlier.amount) != (account_id, amount) or reference not in (None, earlier.reference):
        raise IdempotencyConflict(
            f"idempotency key {key!r} was already used for another request "
            f"({earlier.amount} cents to account {earlier.account_id})"
        )
    return earlier


class ApprovalConcludedConsumer:
    """Acts on governance decisions about withdrawals."""

    name = "deposit.approval-concluded"
    handles = (ApprovalProcessConcluded,)

    def __init__(self, service: DepositService) -> None:
        self.service = service

    def handle(self, uow: UnitOfWork, message: Message) -> None:
        event = message.event
        if event.process_type is ProcessType.WITHDRAW:
            self.service.conclude_withdrawal(uow, event.target_id, event.approved, event.reason)


class CustomerStatusConsumer:
    """A frozen (unfrozen) customer's deposit accounts are frozen (unfrozen) with them; so are
    those of a customer suspended for ten years without activity (until they are active again)."""

    name = "deposit.customer-status"
    handles = (CustomerFrozen, CustomerUnfrozen, CustomerActivityChanged)

    def __init__(self, service: DepositService) -> None:
        self.service = service

    def handle(self, uow: UnitOfWork, message: Message) -> None:
        event = message.event
        if isinstance(event, CustomerActivityChanged):
            customer = uow.events.load(Customer, event.customer_id)
            if event.activity is CustomerActivity.SUSPENDED:
                self.service._set_customer_accounts(uow, event.customer_id, True, "dormant: no activity for ten years",
                                                    with_customer=True)
            elif customer.status is CustomerStatus.ACTIVE:
                self.service._set_customer_accounts(uow, event.customer_id, False, "", with_customer=True)
            return
        frozen = isinstance(event, CustomerFrozen)
        reason = f"customer frozen: {event.reason}" if frozen else ""
        self.service._set_customer_accounts(uow, event.customer_id, frozen, reason, with_customer=True)


__all__ = ["AccountBalance", "DepositError", "DepositService", "HistoryLine"]

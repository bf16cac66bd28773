"""The credit facility, from proposal to closing, in one event stream. Pure.

Lifecycle: pending customer approval -> (customer declines: customer denied) -> pending approval
(governance) -> (denied) -> pending collateralization -> active (once its CVL reaches the initial
threshold) -> matured (at the maturity date) -> closed (once nothing is owed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from lana_core.credit.calculations import (
    Collateralization,
    PendingCollateralization,
    collateralization,
    pending_collateralization,
)
from lana_core.credit.terms import DisbursalPolicy, TermValues
from lana_core.customer.domain import CustomerType
from lana_core.errors import LanaError
from lana_core.eventsourcing import Aggregate, Event
from lana_core.money import whole_units


class CreditError(LanaError):
    pass


class FacilityStatus(StrEnum):
    PENDING_CUSTOMER_APPROVAL = "pending_customer_approval"
    CUSTOMER_DENIED = "customer_denied"
    PENDING_APPROVAL = "pending_approval"
    DENIED = "denied"
    PENDING_COLLATERALIZATION = "pending_collateralization"
    ACTIVE = "active"
    MATURED = "matured"
    CLOSED = "closed"


class CollateralSource(StrEnum):
    MANUAL = "manual"          # an operator recorded it (no custodian)
    CUSTODIAN = "custodian"    # the custodian reported the wallet's balance
    LIQUIDATION = "liquidation"  # sent to be sold
    RELEASE = "release"        # returned at closing


@dataclass(frozen=True)
class FacilityProposed(Event):
    customer_id: UUID
    customer_type: CustomerType
    deposit_account_id: UUID
    amount: int
    terms: TermValues
    custodian_id: UUID | None


@dataclass(frozen=True)
class CustomerAccepted(Event):
    approval_process_id: UUID


@dataclass(frozen=True)
class CustomerDeclined(Event):
    pass


@dataclass(frozen=True)
class ProposalApproved(Event):
    ledger_transaction_id: UUID
    wallet_id: UUID | None


@dataclass(frozen=True)
class ProposalDenied(Event):
    reason: str


@dataclass(frozen=True)
class CollateralUpdated(Event):
    collateral_sats: int  # the new total
    change_sats: int      # signed
    source: CollateralSource
    ledger_transaction_id: UUID | None


@dataclass(frozen=True)
class CollateralizationChanged(Event):
    """state: a Collateralization (active) or PendingCollateralization (pending) value."""

    state: str
    cvl: Decimal
    price_cents_per_btc: int
    outstanding: int


@dataclass(frozen=True)
class FacilityActivated(Event):
    activated_at: datetime
    activation_date: date
    maturity_date: date
    structuring_fee: int
    ledger_transaction_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class FacilityMatured(Event):
    on: date


@dataclass(frozen=True)
class LiquidationStarted(Event):
    liquidation_id: UUID


@dataclass(frozen=True)
class LiquidationEnded(Event):
    liquidation_id: UUID


@dataclass(frozen=True)
class FacilityClosed(Event):
    on: date


class CreditFacility(Aggregate):
    """A bitcoin-backed credit line.

    customer_id / customer_type: the borrower (the type decides the chart nodes);
    deposit_account_id: where disbursals are paid and repayments taken from; amount: the
    facility's size in cents; terms: its TermValues; custodian_id: who holds the collateral (None:
    recorded by hand); status: see FacilityStatus; approval_process_id: governance's decision;
    collateral_sats: collateral held; state: its collateralization (PendingCollateralization
    values before activation, Collateralization after); cvl / price_cents_per_btc: when that
    state was last entered (the CVL now: CreditService.balances);
    activation_date / maturity_date; liquidation_id: the liquidation in progress, if any.
    """

    stream_type = "credit_facility"
    event_types = (
        FacilityProposed, CustomerAccepted, CustomerDeclined, ProposalApproved, ProposalDenied, CollateralUpdated,
        CollateralizationChanged, FacilityActivated, FacilityMatured, LiquidationStarted, LiquidationEnded,
        FacilityClosed,
    )

    customer_id: UUID
    customer_type: CustomerType
    deposit_account_id: UUID
    amount: int
    terms: TermValues
    custodian_id: UUID | None
    status: FacilityStatus
    approval_process_id: UUID | None
    wallet_id: UUID | None
    collateral_sats: int
    state: str
    cvl: Decimal | None
    price_cents_per_btc: int | None
    activated_at: datetime | None
    activation_date: date | None
    maturity_date: date | None
    structuring_fee: int
    liquidation_id: UUID | None

    @classmethod
    def propose(cls, id: UUID, customer_id: UUID, customer_type: CustomerType, deposit_account_id: UUID,
                amount: int, terms: TermValues, custodian_id: UUID | None = None) -> CreditFacility:
        whole_units(amount, "the facility amount (cents)")
        facility = cls(id)
        facility._record(FacilityProposed(customer_id, CustomerType(customer_type), deposit_account_id, amount,
                                          terms.check(), custodian_id))
        return facility

    # --- proposal -----------------------------------------------------------------------

    def customer_accepts(self, approval_process_id: UUID) -> None:
        self._expect(FacilityStatus.PENDING_CUSTOMER_APPROVAL, "accepted by the customer")
        self._record(CustomerAccepted(approval_process_id))

    def customer_declines(self) -> None:
        self._expect(FacilityStatus.PENDING_CUSTOMER_APPROVAL, "declined by the customer")
        self._record(CustomerDeclined())

    def approve(self, ledger_transaction_id: UUID, wallet_id: UUID | None) -> None:
        self._expect(FacilityStatus.PENDING_APPROVAL, "approved")
        self._record(ProposalApproved(ledger_transaction_id, wallet_id))

    def deny(self, reason: str) -> None:
        self._expect(FacilityStatus.PENDING_APPROVAL, "denied")
        self._record(ProposalDenied(reason))

    # --- collateral and its value -------------------------------------------------------

    def update_collateral(self, new_sats: int, source: CollateralSource, ledger_transaction_id: UUID | None) -> int:
        """Record the new collateral total; returns the change (0: nothing recorded)."""
        whole_units(new_sats, "the collateral (sats)", minimum=0)
        if self.status not in (FacilityStatus.PENDING_COLLATERALIZATION, FacilityStatus.ACTIVE,
                               FacilityStatus.MATURED) and source is not CollateralSource.RELEASE:
            raise CreditError(f"the facility is {self.status}: it holds no collateral now")
        change = new_sats - self.collateral_sats
        if change:
            self._record(CollateralUpdated(new_sats, change, source, ledger_transaction_id))
        return change

    def evaluate(self, cvl: Decimal, price_cents: int, outstanding: int) -> bool:
        """Take a new CVL; records a state change if there is one. Returns whether it changed."""
        if self.status is FacilityStatus.PENDING_COLLATERALIZATION:
            state: str = pending_collateralization(cvl, self.terms)
        elif self.status in (FacilityStatus.ACTIVE, FacilityStatus.MATURED):
            state = collateralization(cvl, self.terms, Collateralization(self.state))
        else:
            return False
        if state == self.state:
            return False
        self._record(CollateralizationChanged(state, cvl, price_cents, outstanding))
        return True

    @property
    def ready_to_activate(self) -> bool:
        return (self.status is FacilityStatus.PENDING_COLLATERALIZATION
                and self.state == PendingCollateralization.FULLY_COLLATERALIZED)

    @property
    def under_liquidation_threshold(self) -> bool:
        return self.state == Collateralization.UNDER_LIQUIDATION

    # --- life ---------------------------------------------------------------------------

    def activate(self, at: datetime, structuring_fee: int, ledger_transaction_ids: tuple[UUID, ...]) -> None:
        if not self.ready_to_activate:
            raise CreditError(
                f"the facility activates once its collateral reaches the initial CVL of {self.terms.initial_cvl} % "
                f"(status {self.status}, {self.state})"
            )
        today = at.date()
        self._record(FacilityActivated(at, today, self.terms.maturity_date(today), structuring_fee,
                                       ledger_transaction_ids))

    def check_disbursal(self, today: date) -> None:
        if self.status is not FacilityStatus.ACTIVE:
            raise CreditError(f"disbursals need an active facility (it is {self.status})")
        if self.terms.disbursal_policy is DisbursalPolicy.SINGLE:
            raise CreditError("this facility's single disbursal was paid out at activation")
        if self.maturity_date is not None and today >= self.maturity_date:
            raise CreditError(f"the facility matures on {self.maturity_date}: no more disbursals")

    def mature(self, on: date) -> None:
        self._expect(FacilityStatus.ACTIVE, "matured")
        self._record(FacilityMatured(on))

    def start_liquidation(self, liquidation_id: UUID) -> None:
        if self.liquidation_id is not None:
            raise CreditError("a liquidation of this facility is already in progress")
        self._record(LiquidationStarted(liquidation_id))

    def end_liquidation(self) -> None:
        if self.liquidation_id is None:
            raise CreditError("no liquidation of this facility is in progress")
        self._record(LiquidationEnded(self.liquidation_id))

    def close(self, on: date) -> None:
        if self.status not in (FacilityStatus.ACTIVE, FacilityStatus.MATURED):
            raise CreditError(f"only an active or matured facility can be closed (it is {self.status})")
        if self.liquidation_id is not None:
            raise CreditError("a liquidation of this facility is in progress")
        self._record(FacilityClosed(on))

    def _expect(self, status: FacilityStatus, verb: str) -> None:
        if self.status is not status:
            raise CreditError(f"the facility is {self.status}: it cannot be {verb}")

    def _apply(self, event: Event) -> None:
        match event:
            case FacilityProposed(customer_id, customer_type, deposit_account_id, amount, terms, custodian_id):
                self.customer_id, self.customer_type, self.deposit_account_id = customer_id, customer_type, deposit_account_id
                self.amount, self.terms, self.custodian_id = amount, terms, custodian_id
                self.status, self.approval_process_id, self.wallet_id = FacilityStatus.PENDING_CUSTOMER_APPROVAL, None, None
                self.collateral_sats, self.state = 0, PendingCollateralization.NOT_YET_COLLATERALIZED.value
                self.cvl, self.price_cents_per_btc = None, None
                self.activated_at = self.activation_date = self.maturity_date = None
                self.structuring_fee, self.liquidation_id = 0, None
            case CustomerAccepted(process_id):
                self.status, self.approval_process_id = FacilityStatus.PENDING_APPROVAL, process_id
            case CustomerDeclined():
                self.status = FacilityStatus.CUSTOMER_DENIED
            case ProposalApproved(_, wallet_id):
                self.status, self.wallet_id = FacilityStatus.PENDING_COLLATERALIZATION, wallet_id
            case ProposalDenied():
                self.status = FacilityStatus.DENIED
            case CollateralUpdated(collateral_sats=sats):
                self.collateral_sats = sats
            case CollateralizationChanged(state, cvl, price, _):
                self.state, self.cvl, self.price_cents_per_btc = state, cvl, price
            case FacilityActivated(at, activation_date, maturity_date, fee, _):
                self.status, self.activated_at = FacilityStatus.ACTIVE, at
                self.activation_date, self.maturity_date, self.structuring_fee = activation_date, maturity_date, fee
                # From here the state speaks of the active facility; it is evaluated right after.
                self.state = Collateralization.NO_EXPOSURE.value
            case FacilityMatured():
                self.status = FacilityStatus.MATURED
            case LiquidationStarted(liquidation_id):
                self.liquidation_id = liquidation_id
            case LiquidationEnded():
                self.liquidation_id = None
            case FacilityClosed():
                self.status = FacilityStatus.CLOSED
                self.state = Collateralization.NO_COLLATERAL.value


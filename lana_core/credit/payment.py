"""Payments on a facility and how they were split over its obligations. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from lana_core.errors import InvalidInput
from lana_core.eventsourcing import Aggregate, Event
from lana_core.money import whole_units


class PaymentSource(StrEnum):
    DEPOSIT_ACCOUNT = "deposit_account"  # the customer paid from their account
    LIQUIDATION = "liquidation"          # proceeds of selling collateral


@dataclass(frozen=True)
class Allocation:
    """A slice of a payment: to which obligation, of which kind, how much (cents), and the
    ledger transaction that moved it out of the receivable account it sat in."""

    obligation_id: UUID
    kind: str
    amount: int
    ledger_transaction_id: UUID


@dataclass(frozen=True)
class PaymentRecorded(Event):
    facility_id: UUID
    amount: int
    source: PaymentSource
    effective: date
    ledger_transaction_id: UUID


@dataclass(frozen=True)
class PaymentAllocated(Event):
    allocations: tuple[Allocation, ...]


class Payment(Aggregate):
    stream_type = "credit_payment"
    event_types = (PaymentRecorded, PaymentAllocated)

    facility_id: UUID
    amount: int
    source: PaymentSource
    effective: date
    allocations: tuple[Allocation, ...]

    @classmethod
    def record(cls, id: UUID, facility_id: UUID, amount: int, source: PaymentSource, effective: date,
               ledger_transaction_id: UUID) -> Payment:
        whole_units(amount, "a payment (cents)")
        payment = cls(id)
        payment._record(PaymentRecorded(facility_id, amount, source, effective, ledger_transaction_id))
        return payment

    def allocate(self, allocations: list[Allocation]) -> None:
        if sum(a.amount for a in allocations) != self.amount:
            raise InvalidInput("a payment is allocated whole")
        self._record(PaymentAllocated(tuple(allocations)))

    def _apply(self, event: Event) -> None:
        match event:
            case PaymentRecorded(facility_id, amount, source, effective, _):
                self.facility_id, self.amount, self.source, self.effective = facility_id, amount, source, effective
                self.allocations = ()
            case PaymentAllocated(allocations):
                self.allocations = allocations

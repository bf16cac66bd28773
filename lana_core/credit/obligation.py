"""What a borrower owes: one obligation per disbursal (principal) and per interest cycle. Pure.

Status moves with the calendar (the seeds' sequence): not yet due -> due (on the due date) ->
overdue -> in liquidation -> defaulted, each after the number of days the terms set from the due
date (None: never). Payments reduce the outstanding; at zero the obligation is paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from lana_core.credit.facility import CreditError
from lana_core.credit.terms import TermValues
from lana_core.errors import InvalidInput
from lana_core.eventsourcing import Aggregate, Event


class ObligationKind(StrEnum):
    DISBURSAL = "disbursal"  # principal, due at maturity
    INTEREST = "interest"    # a cycle's interest, due at the cycle's end


class ObligationStatus(StrEnum):
    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    OVERDUE = "overdue"
    LIQUIDATION = "liquidation"
    DEFAULTED = "defaulted"
    PAID = "paid"


# The calendar's order: each status after the one before it.
SEQUENCE = (ObligationStatus.NOT_YET_DUE, ObligationStatus.DUE, ObligationStatus.OVERDUE,
            ObligationStatus.LIQUIDATION, ObligationStatus.DEFAULTED)


@dataclass(frozen=True)
class ObligationCreated(Event):
    facility_id: UUID
    kind: ObligationKind
    amount: int
    reference: str
    effective: date
    due_date: date
    overdue_date: date | None
    liquidation_date: date | None
    default_date: date | None


@dataclass(frozen=True)
class ObligationStatusChanged(Event):
    status: ObligationStatus
    on: date
    ledger_transaction_id: UUID | None  # moving the outstanding between receivable accounts


@dataclass(frozen=True)
class ObligationPaymentApplied(Event):
    payment_id: UUID
    amount: int
    ledger_transaction_id: UUID


class Obligation(Aggregate):
    """amount: what was owed at creation (cents); outstanding: what is left; effective: when it
    arose; due_date / overdue_date / liquidation_date / default_date: when the status moves."""

    stream_type = "credit_obligation"
    event_types = (ObligationCreated, ObligationStatusChanged, ObligationPaymentApplied)

    facility_id: UUID
    kind: ObligationKind
    amount: int
    outstanding: int
    reference: str
    effective: date
    due_date: date
    overdue_date: date | None
    liquidation_date: date | None
    default_date: date | None
    status: ObligationStatus
    receivable_status: ObligationStatus  # where its outstanding sits on the books (paid: where it was last)
    paid_on: date | None

    @classmethod
    def create(cls, id: UUID, facility_id: UUID, kind: ObligationKind, amount: int, reference: str,
               effective: date, due_date: date, terms: TermValues) -> Obligation:
        if amount <= 0:
            raise InvalidInput(f"an obligation needs a positive amount, got {amount}")

        def after(days: int | None) -> date | None:
            return None if days is None else due_date + timedelta(days=days)

        obligation = cls(id)
        obligation._record(ObligationCreated(
            facility_id, ObligationKind(kind), amount, reference, effective, due_date,
            after(terms.overdue_days), after(terms.liquidation_days), after(terms.default_days),
        ))
        return obligation

    def transitions_through(self, day: date) -> list[tuple[ObligationStatus, date]]:
        """The statuses the calendar has reached by ``day`` that are not recorded yet, in order,
        each with the date it was reached (empty for a paid obligation)."""
        if self.status is ObligationStatus.PAID:
            return []
        dates = {
            ObligationStatus.DUE: self.due_date,
            ObligationStatus.OVERDUE: self.overdue_date,
            ObligationStatus.LIQUIDATION: self.liquidation_date,
            ObligationStatus.DEFAULTED: self.default_date,
        }
        reached = SEQUENCE.index(self.status)
        return [(status, dates[status]) for status in SEQUENCE[reached + 1:]
                if dates[status] is not None and dates[status] <= day]

    def move_to(self, status: ObligationStatus, on: date, ledger_transaction_id: UUID | None) -> None:
        if self.status is ObligationStatus.PAID:
            raise CreditError(f"obligation {self.reference} is paid")
        if SEQUENCE.index(status) <= SEQUENCE.index(self.status):
            raise CreditError(f"obligation {self.reference} is already {self.status}")
        self._record(ObligationStatusChanged(status, on, ledger_transaction_id))

    def apply_payment(self, payment_id: UUID, amount: int, ledger_transaction_id: UUID, on: date) -> None:
        if not 0 < amount <= self.outstanding:
            raise CreditError(f"obligation {self.reference} has {self.outstanding} cents outstanding, not {amount}")
        self._record(ObligationPaymentApplied(payment_id, amount, ledger_transaction_id))
        if self.outstanding == 0:
            self._record(ObligationStatusChanged(ObligationStatus.PAID, on, None))

    def _apply(self, event: Event) -> None:
        match event:
            case ObligationCreated(facility_id, kind, amount, reference, effective, due, overdue, liquidation, default):
                self.facility_id, self.kind, self.amount, self.outstanding = facility_id, kind, amount, amount
                self.reference, self.effective, self.due_date = reference, effective, due
                self.overdue_date, self.liquidation_date, self.default_date = overdue, liquidation, default
                self.status, self.paid_on = ObligationStatus.NOT_YET_DUE, None
                self.receivable_status = ObligationStatus.NOT_YET_DUE
            case ObligationStatusChanged(status, on, _):
                self.status = status
                if status is ObligationStatus.PAID:
                    self.paid_on = on
                else:
                    self.receivable_status = status
            case ObligationPaymentApplied(_, amount, _):
                self.outstanding -= amount

"""Interest accrual cycles: interest accrues day by day inside a cycle (normally a calendar
month) and the cycle's total becomes an interest obligation at its end. Pure.

Each accrual is principal × days × rate / 365, rounded up to the cent on its own; the cycle's
obligation is the sum of those rounded accruals (LANA_DOMAIN §1.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from lana_core.credit.facility import CreditError
from lana_core.eventsourcing import Aggregate, Event


class CycleStatus(StrEnum):
    ACCRUING = "accruing"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Accrual:
    """One accrual: its last day, how many days it covers, the principal it was computed on,
    the interest (cents), and its ledger transaction."""

    day: date
    days: int
    principal: int
    amount: int
    ledger_transaction_id: UUID | None


@dataclass(frozen=True)
class InterestCycleStarted(Event):
    facility_id: UUID
    index: int
    start: date
    end: date


@dataclass(frozen=True)
class InterestAccrued(Event):
    accrual: Accrual


@dataclass(frozen=True)
class InterestCycleCompleted(Event):
    total: int
    obligation_id: UUID | None  # None when nothing accrued
    ledger_transaction_id: UUID | None


class InterestAccrualCycle(Aggregate):
    """index: 1 for the facility's first cycle; start / end: the days it covers (inclusive);
    accrued: interest accrued so far (cents); accrued_through: the last day accrued (None: none
    yet); accrual_count: how many accruals (each accrual's detail is in its InterestAccrued
    event); total / obligation_id: what the completed cycle billed, and as which obligation."""

    stream_type = "credit_interest_cycle"
    event_types = (InterestCycleStarted, InterestAccrued, InterestCycleCompleted)

    facility_id: UUID
    index: int
    start: date
    end: date
    accrued: int
    accrued_through: date | None
    accrual_count: int
    status: CycleStatus
    total: int
    obligation_id: UUID | None

    @classmethod
    def start_cycle(cls, id: UUID, facility_id: UUID, index: int, start: date, end: date) -> InterestAccrualCycle:
        if end < start:
            raise CreditError(f"an interest cycle cannot end ({end}) before it starts ({start})")
        cycle = cls(id)
        cycle._record(InterestCycleStarted(facility_id, index, start, end))
        return cycle

    @property
    def next_day(self) -> date | None:
        """The first day not accrued yet, or None when every day is."""
        day = self.accrued_through + timedelta(days=1) if self.accrued_through else self.start
        return day if day <= self.end else None

    def accrue(self, accrual: Accrual) -> None:
        if self.status is not CycleStatus.ACCRUING:
            raise CreditError(f"interest cycle {self.index} is completed")
        first_day = accrual.day - timedelta(days=accrual.days - 1)
        if first_day != self.next_day or accrual.day > self.end:
            raise CreditError(f"interest cycle {self.index} accrues from {self.next_day} next, not {first_day}")
        self._record(InterestAccrued(accrual))

    def complete(self, obligation_id: UUID | None, ledger_transaction_id: UUID | None) -> None:
        if self.next_day is not None:
            raise CreditError(f"interest cycle {self.index} still has days to accrue from {self.next_day}")
        if self.status is CycleStatus.COMPLETED:
            raise CreditError(f"interest cycle {self.index} is already completed")
        self._record(InterestCycleCompleted(self.accrued, obligation_id, ledger_transaction_id))

    def _apply(self, event: Event) -> None:
        match event:
            case InterestCycleStarted(facility_id, index, start, end):
                self.facility_id, self.index, self.start, self.end = facility_id, index, start, end
                self.accrued, self.accrued_through, self.accrual_count = 0, None, 0
                self.status, self.total, self.obligation_id = CycleStatus.ACCRUING, 0, None
            case InterestAccrued(accrual):
                self.accrued += accrual.amount
                self.accrued_through = accrual.day
                self.accrual_count += 1
            case InterestCycleCompleted(total, obligation_id, _):
                self.status, self.total, self.obligation_id = CycleStatus.COMPLETED, total, obligation_id

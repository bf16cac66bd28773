"""Disbursals: money drawn from a facility into the customer's deposit account. Pure.

Each one is approved (governance) before it is paid out; the initial disbursal at activation
is approved with the facility. Paid out, it becomes a principal obligation due at maturity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from lana_core.credit.facility import CreditError
from lana_core.eventsourcing import Aggregate, Event
from lana_core.money import whole_units


class DisbursalStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    CONFIRMED = "confirmed"  # paid out
    CANCELLED = "cancelled"  # denied by governance


@dataclass(frozen=True)
class DisbursalInitiated(Event):
    facility_id: UUID
    amount: int
    approval_process_id: UUID | None  # None: approved with the facility (the initial disbursal)
    ledger_transaction_id: UUID | None


@dataclass(frozen=True)
class DisbursalConfirmed(Event):
    obligation_id: UUID
    on: date
    ledger_transaction_id: UUID


@dataclass(frozen=True)
class DisbursalCancelled(Event):
    reason: str
    ledger_transaction_id: UUID


class Disbursal(Aggregate):
    """amount in cents; obligation_id: the principal obligation it became once paid out."""

    stream_type = "credit_disbursal"
    event_types = (DisbursalInitiated, DisbursalConfirmed, DisbursalCancelled)

    facility_id: UUID
    amount: int
    approval_process_id: UUID | None
    status: DisbursalStatus
    obligation_id: UUID | None
    confirmed_on: date | None
    reason: str | None

    @classmethod
    def initiate(cls, id: UUID, facility_id: UUID, amount: int, approval_process_id: UUID | None,
                 ledger_transaction_id: UUID | None) -> Disbursal:
        whole_units(amount, "a disbursal (cents)")
        disbursal = cls(id)
        disbursal._record(DisbursalInitiated(facility_id, amount, approval_process_id, ledger_transaction_id))
        return disbursal

    def confirm(self, obligation_id: UUID, on: date, ledger_transaction_id: UUID) -> None:
        self._check_pending("paid out")
        self._record(DisbursalConfirmed(obligation_id, on, ledger_transaction_id))

    def cancel(self, reason: str, ledger_transaction_id: UUID) -> None:
        self._check_pending("cancelled")
        self._record(DisbursalCancelled(reason, ledger_transaction_id))

    def _check_pending(self, verb: str) -> None:
        if self.status is not DisbursalStatus.PENDING_APPROVAL:
            raise CreditError(f"the disbursal is {self.status}: it cannot be {verb}")

    def _apply(self, event: Event) -> None:
        match event:
            case DisbursalInitiated(facility_id, amount, process_id, _):
                self.facility_id, self.amount, self.approval_process_id = facility_id, amount, process_id
                self.status, self.obligation_id, self.confirmed_on, self.reason = (
                    DisbursalStatus.PENDING_APPROVAL, None, None, None)
            case DisbursalConfirmed(obligation_id, on, _):
                self.status, self.obligation_id, self.confirmed_on = DisbursalStatus.CONFIRMED, obligation_id, on
            case DisbursalCancelled(reason, _):
                self.status, self.reason = DisbursalStatus.CANCELLED, reason

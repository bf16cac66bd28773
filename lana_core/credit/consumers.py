"""The outbox messages credit acts on: governance decisions, custodian balances, new prices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lana_core.credit.facility import CollateralSource, CreditFacility, FacilityStatus
from lana_core.custody.events import WalletBalanceChanged
from lana_core.db import UnitOfWork
from lana_core.eventsourcing import Message
from lana_core.governance.domain import ApprovalProcessConcluded, ProcessType
from lana_core.price.events import PriceUpdated

if TYPE_CHECKING:
    from lana_core.credit.service import CreditService


class ApprovalConsumer:
    """Governance decided on a proposal or a disbursal."""

    name = "credit.approval-concluded"
    handles = (ApprovalProcessConcluded,)

    def __init__(self, service: CreditService) -> None:
        self.service = service

    def handle(self, uow: UnitOfWork, message: Message) -> None:
        event = message.event
        if event.process_type is ProcessType.CREDIT_FACILITY_PROPOSAL:
            self.service.conclude_proposal(uow, event.target_id, event.approved, event.reason)
        elif event.process_type is ProcessType.DISBURSAL:
            self.service.conclude_disbursal(uow, event.target_id, event.approved, event.reason)


class WalletConsumer:
    """A custodian reported a new balance of a facility's collateral wallet."""

    name = "credit.wallet-balance"
    handles = (WalletBalanceChanged,)

    def __init__(self, service: CreditService) -> None:
        self.service = service

    def handle(self, uow: UnitOfWork, message: Message) -> None:
        event = message.event
        facility = uow.events.find(CreditFacility, event.owner_id)
        if facility is not None and facility.wallet_id == event.wallet_id:
            self.service.set_collateral(uow, facility, event.balance_sats, CollateralSource.CUSTODIAN)


class PriceConsumer:
    """Every new price re-values every facility's collateral."""

    name = "credit.price"
    handles = (PriceUpdated,)

    def __init__(self, service: CreditService) -> None:
        self.service = service

    def handle(self, uow: UnitOfWork, message: Message) -> None:
        open_statuses = [FacilityStatus.PENDING_COLLATERALIZATION.value, FacilityStatus.ACTIVE.value,
                         FacilityStatus.MATURED.value]
        facilities = uow.events.find_all(CreditFacility, "state->>'status' = ANY(%s)", (open_statuses,))
        self.service.evaluate_all(uow, facilities, message.event.price_cents_per_btc)

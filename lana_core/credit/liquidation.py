"""Liquidation: selling part of the collateral when the CVL falls below the liquidation
threshold, to bring it back to the initial CVL (LANA_DOMAIN §1.10). Pure.

Started automatically; then operators record the collateral sent to be sold and the proceeds
received, which pay down the facility like any payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from lana_core.credit.facility import CreditError
from lana_core.eventsourcing import Aggregate, Event
from lana_core.money import whole_units


class LiquidationStatus(StrEnum):
    STARTED = "started"
    COLLATERAL_SENT = "collateral_sent"
    COMPLETED = "completed"


@dataclass(frozen=True)
class LiquidationInitiated(Event):
    facility_id: UUID
    trigger_price_cents: int
    cvl: Decimal
    outstanding: int
    expected_proceeds: int  # cents to restore the initial CVL
    sats_to_sell: int       # the estimate at the trigger price


@dataclass(frozen=True)
class CollateralSentToLiquidation(Event):
    sats: int
    ledger_transaction_id: UUID


@dataclass(frozen=True)
class LiquidationProceedsReceived(Event):
    amount: int
    payment_id: UUID | None
    ledger_transaction_id: UUID


class Liquidation(Aggregate):
    stream_type = "credit_liquidation"
    event_types = (LiquidationInitiated, CollateralSentToLiquidation, LiquidationProceedsReceived)

    facility_id: UUID
    trigger_price_cents: int
    cvl: Decimal
    outstanding: int
    expected_proceeds: int
    sats_to_sell: int
    status: LiquidationStatus
    sats_sent: int
    proceeds: int

    @classmethod
    def initiate(cls, id: UUID, facility_id: UUID, price_cents: int, cvl: Decimal, outstanding: int,
                 expected_proceeds: int, sats_to_sell: int) -> Liquidation:
        liquidation = cls(id)
        liquidation._record(LiquidationInitiated(facility_id, price_cents, cvl, outstanding, expected_proceeds,
                                                 sats_to_sell))
        return liquidation

    def collateral_sent(self, sats: int, ledger_transaction_id: UUID) -> None:
        if self.status is not LiquidationStatus.STARTED:
            raise CreditError(f"the liquidation is {self.status}: collateral was already sent")
        whole_units(sats, "the collateral sent (sats)")
        self._record(CollateralSentToLiquidation(sats, ledger_transaction_id))

    def proceeds_received(self, amount: int, payment_id: UUID | None, ledger_transaction_id: UUID) -> None:
        if self.status is not LiquidationStatus.COLLATERAL_SENT:
            raise CreditError(f"the liquidation is {self.status}: record the collateral sent first")
        whole_units(amount, "the proceeds (cents)")
        self._record(LiquidationProceedsReceived(amount, payment_id, ledger_transaction_id))

    def _apply(self, event: Event) -> None:
        match event:
            case LiquidationInitiated(facility_id, price, cvl, outstanding, expected, sats):
                self.facility_id, self.trigger_price_cents, self.cvl = facility_id, price, cvl
                self.outstanding, self.expected_proceeds, self.sats_to_sell = outstanding, expected, sats
                self.status, self.sats_sent, self.proceeds = LiquidationStatus.STARTED, 0, 0
            case CollateralSentToLiquidation(sats, _):
                self.status, self.sats_sent = LiquidationStatus.COLLATERAL_SENT, sats
            case LiquidationProceedsReceived(amount, _, _):
                self.status, self.proceeds = LiquidationStatus.COMPLETED, amount

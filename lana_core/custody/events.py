"""What the custody context publishes on the outbox (the contract with the credit context)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from lana_core.eventsourcing import Event


@dataclass(frozen=True)
class WalletBalanceChanged(Event):
    """A custody wallet's confirmed balance changed. wallet_id: Lana's wallet entity; owner_id:
    what the wallet was opened for (a credit facility's id); balance_sats: the new confirmed
    balance in satoshis; changed_at: when the custodian reported it."""

    wallet_id: UUID
    owner_id: UUID
    balance_sats: int
    changed_at: datetime

"""What the price context publishes on the outbox (the contract with the credit context)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lana_core.eventsourcing import Event


@dataclass(frozen=True)
class PriceUpdated(Event):
    """A new published price of one bitcoin: price_cents_per_btc, integer US cents; recorded_at:
    when it was fetched; sources: the providers whose quotes made the median."""

    price_cents_per_btc: int
    recorded_at: datetime
    sources: tuple[str, ...]

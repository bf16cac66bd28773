"""Event sourcing: aggregates rebuilt from their events, the event store, and the outbox.

Every entity of the core is an ``Aggregate``: its state is the fold of its events. A business
operation appends the new events of the aggregates it changed, publishes messages for other
contexts on the outbox, and posts its ledger transaction, all in one database transaction
(a ``UnitOfWork``). Consumers read the outbox and record their position with their effects.
"""

from lana_core.eventsourcing.aggregate import Aggregate, Event
from lana_core.eventsourcing.outbox import Consumer, Message, Outbox, run_consumer
from lana_core.eventsourcing.store import ConcurrencyConflict, EventStore

__all__ = [
    "Aggregate",
    "ConcurrencyConflict",
    "Consumer",
    "Event",
    "EventStore",
    "Message",
    "Outbox",
    "run_consumer",
]

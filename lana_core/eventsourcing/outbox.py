"""The outbox: messages for other contexts, and the consumers that act on them.

A message is written in the same transaction as the change that caused it, so it exists if and
only if the change committed. A consumer processes messages one transaction each, recording
its new position in that same transaction: after a crash it resumes exactly after the last
message whose effects committed, so each message takes effect once.

Order and late commits: positions come from a sequence, so a transaction can take position 7,
commit after position 8 was read, and be skipped by a naive ``position > last`` reader. Readers
therefore go in (xact_id, position) order and only read messages whose writing transaction is
older than every transaction still running (``lana_snapshot_xmin()``): anything that commits
later has a larger xact_id than all they have read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import orjson
import psycopg
from psycopg.types.json import Jsonb

from lana_core.clock import Clock
from lana_core.eventsourcing.aggregate import Event
from lana_core.eventsourcing.codec import decode_dataclass, to_json

if TYPE_CHECKING:
    from lana_core.db import Database, UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """position: global write order; message_type: the event's name; event: the decoded event."""

    position: int
    xact_id: int
    message_type: str
    event: Event
    recorded_at: datetime


class Outbox:
    """published: how many messages this unit of work has written; published_types: their
    message types (who must be told); xact_id: the id of the transaction that wrote them (they
    can be read once every transaction older than it has ended)."""

    def __init__(self, conn: psycopg.Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock
        self.published = 0
        self.published_types: set[str] = set()
        self.xact_id: int | None = None

    def publish(self, *events: Event) -> None:
        for event in events:
            self.published += 1
            self.published_types.add(event.event_type())
            self.xact_id = self.conn.execute(
                "INSERT INTO core.outbox (message_type, payload, recorded_at) VALUES (%s, %s, %s) RETURNING xact_id",
                (event.event_type(), Jsonb(to_json(event), dumps=orjson.dumps), self.clock.now()),
            ).fetchone()[0]


class Consumer(Protocol):
    """A reader of the outbox. name: its position's key; handles: the event classes it acts on."""

    name: str
    handles: tuple[type[Event], ...]

    def handle(self, uow: UnitOfWork, message: Message) -> None:
        """Act on one message inside ``uow``; raise to leave it (and the position) unprocessed."""
        ...


@dataclass
class ConsumerRun:
    consumer: str
    processed: int
    failed: str | None  # the error that stopped the run, if any
    published: frozenset[str] = frozenset()  # message types its handlers published in turn
    published_xact_id: int | None = None     # the last transaction that published them


def run_consumer(
    db: Database,
    consumer: Consumer,
    *,
    limit: int | None = None,
    on_message: Callable[[Message], None] | None = None,
) -> ConsumerRun:
    """Process the consumer's next messages, one transaction each, until none are ready (or
    ``limit`` have been processed, or a handler fails: the failure is recorded and returned).

    Messages of types the consumer does not handle are stepped over in the same transactions
    (a page at a time), so a consumer of rare messages does not rescan the outbox on each run.
    """
    types = {t.event_type(): t for t in consumer.handles}
    processed, published, published_xact = 0, set(), None
    while limit is None or processed < limit:
        try:
            with db.unit_of_work() as uow:
                page = _next_page(uow.conn, consumer.name)
                if not page:
                    uow.commit()
                    break
                handled = next((m for m in page if m[2] in types), None)
                last = handled or page[-1]
                message = None
                if handled is not None:
                    position, xact_id, message_type, payload, recorded_at = handled
                    event = decode_dataclass(types[message_type], payload)
                    message = Message(position, xact_id, message_type, event, recorded_at)
                    uow.acting_as(f"system:{consumer.name}")
                    consumer.handle(uow, message)
                    published |= uow.outbox.published_types
                    published_xact = uow.outbox.xact_id or published_xact
                uow.conn.execute(
                    "UPDATE core.consumer_positions SET last_xact_id = %s, last_position = %s, "
                    "processed = processed + %s, updated_at = now(), last_error = NULL, failures = 0 "
                    "WHERE consumer = %s",
                    (last[1], last[0], 1 if message else 0, consumer.name),
                )
                uow.commit()
            if message is not None:
                processed += 1
                if on_message:
                    on_message(message)
        except Exception as exc:  # the message stays unprocessed; record why, for operators
            reason = f"{type(exc).__name__}: {exc}"
            log.warning("consumer %s stopped: %s", consumer.name, reason)
            with db.unit_of_work() as uow:
                uow.conn.execute(
                    "UPDATE core.consumer_positions SET last_error = %s, failures = failures + 1, "
                    "updated_at = now() WHERE consumer = %s",
                    (reason[:2000], consumer.name),
                )
                uow.commit()
            return ConsumerRun(consumer.name, processed, reason, frozenset(published), published_xact)
    return ConsumerRun(consumer.name, processed, None, frozenset(published), published_xact)


def _next_page(conn: psycopg.Connection, name: str, size: int = 100) -> list[tuple]:
    """The next messages after the consumer's position, oldest first, that no running
    transaction can still precede; the consumer's row stays locked until commit."""
    conn.execute(
        "INSERT INTO core.consumer_positions (consumer) VALUES (%s) ON CONFLICT DO NOTHING", (name,)
    )
    # The row lock makes one instance of a consumer run at a time.
    last_xact, last_position = conn.execute(
        "SELECT last_xact_id, last_position FROM core.consumer_positions WHERE consumer = %s FOR UPDATE",
        (name,),
    ).fetchone()
    return conn.execute(
        "SELECT position, xact_id, message_type, payload, recorded_at FROM core.outbox "
        "WHERE (xact_id, position) > (%s, %s) AND xact_id < lana_snapshot_xmin() "
        "ORDER BY xact_id, position LIMIT %s",
        (last_xact, last_position, size),
    ).fetchall()


def await_readable(db: Database, xact_id: int, *, timeout: float = 10.0) -> bool:
    """Wait until what transaction ``xact_id`` published can be read by consumers: until every
    older transaction has ended (any transaction holding an id counts, in any database of the
    server: autovacuum's ANALYZE too). True when readable; False after ``timeout`` seconds (the
    messages are not lost: the worker reads them later)."""
    deadline, pause = time.monotonic() + timeout, 0.001
    while True:
        with db.unit_of_work() as uow:
            if uow.conn.execute("SELECT lana_snapshot_xmin() > %s", (xact_id,)).fetchone()[0]:
                return True
        if time.monotonic() >= deadline:
            log.warning("transaction %s stays invisible to consumers: an older transaction is still open", xact_id)
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.05)

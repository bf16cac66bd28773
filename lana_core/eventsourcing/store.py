"""The event store on PostgreSQL: ``core.events`` (the truth), ``core.entities`` (current state)
and ``core.entity_versions`` (every state after a save, for the warehouse).

Saving an aggregate appends its pending events at the next versions. If another transaction
appended to the same entity meanwhile, the (stream_id, version) key collides and the save fails
with ``ConcurrencyConflict``: nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar
from uuid import UUID

import orjson
import psycopg
from psycopg.types.json import Jsonb

from lana_core.clock import Clock
from lana_core.errors import LanaError, NotFound
from lana_core.eventsourcing.aggregate import Aggregate, Event
from lana_core.eventsourcing.codec import decode_dataclass, to_json

A = TypeVar("A", bound=Aggregate)


class ConcurrencyConflict(LanaError):
    """Someone else changed the entity since it was loaded; reload and try again."""


class DuplicateEntity(LanaError):
    """A unique lookup (e.g. an email) already belongs to another entity."""


class EventStore:
    def __init__(self, conn: psycopg.Connection, clock: Clock, actor: Callable[[], str]) -> None:
        self.conn = conn
        self.clock = clock
        self._actor = actor

    # --- writing --------------------------------------------------------------------------

    def save(self, *aggregates: Aggregate) -> list[Event]:
        """Append every pending event of each aggregate; create or update its current state.
        Returns the events saved (to publish those other contexts wait for). All the rows go
        in two statements, whatever the number of aggregates (a batch job saves hundreds)."""
        changed = list({id(a): a for a in aggregates if a._pending}.values())  # each object once
        if not changed:
            return []
        now = self.clock.now()
        actor = self._actor()
        event_rows, entity_rows, version_rows, saved = [], [], [], []
        for aggregate in changed:
            events = aggregate._pending
            first = aggregate.version - len(events) + 1
            event_rows.extend(
                (aggregate.id, first + i, aggregate.stream_type, e.event_type(),
                 Jsonb(to_json(e), dumps=orjson.dumps), now, actor)
                for i, e in enumerate(events)
            )
            state = Jsonb(aggregate.snapshot(), dumps=orjson.dumps)
            entity_rows.append((aggregate.id, aggregate.stream_type, aggregate.version, state, now, now))
            version_rows.append((aggregate.id, aggregate.version, aggregate.stream_type, state, now))
            saved.extend(events)
        try:
            with self.conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO core.events (stream_id, version, stream_type, event_type, payload, "
                    "recorded_at, actor) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    event_rows,
                )
                cur.executemany(
                    "INSERT INTO core.entities AS e (stream_id, stream_type, version, state, created_at, updated_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, "
                    "state = EXCLUDED.state, updated_at = EXCLUDED.updated_at",
                    entity_rows,
                )
                cur.executemany(
                    "INSERT INTO core.entity_versions (stream_id, version, stream_type, state, recorded_at) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    version_rows,
                )
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "events_pkey":
                raise ConcurrencyConflict(_conflict_message(exc, changed)) from None
            raise DuplicateEntity(_duplicate_message(exc)) from None
        for aggregate in changed:
            aggregate._mark_saved()
        return saved

    def lock(self, stream_id: UUID, *, shared: bool = False) -> None:
        """Hold a row lock on an entity until the transaction ends: ``shared`` for operations
        that depend on its state staying as it is, exclusive for those that change it."""
        mode = "SHARE" if shared else "UPDATE"
        self.conn.execute(f"SELECT 1 FROM core.entities WHERE stream_id = %s FOR {mode}", (stream_id,))

    # --- reading --------------------------------------------------------------------------

    def load(self, cls: type[A], id: UUID) -> A:
        found = self.find(cls, id)
        if found is None:
            raise NotFound(f"{cls.stream_type.replace('_', ' ')} {id} does not exist")
        return found

    def find(self, cls: type[A], id: UUID) -> A | None:
        found = self.load_many(cls, [id])
        return found[0] if found else None

    def load_many(self, cls: type[A], ids: Sequence[UUID]) -> list[A]:
        """The aggregates with these ids, in the order given (missing ones are left out)."""
        if not ids:
            return []
        found: dict[UUID, A] = {}
        if cls.restorable:
            rows = self.conn.execute(
                "SELECT stream_id, version, state FROM core.entities WHERE stream_id = ANY(%s) AND stream_type = %s",
                (list(ids), cls.stream_type),
            )
            for stream_id, version, state in rows:
                restored = cls.restore(stream_id, version, state)
                if restored is not None:
                    found[stream_id] = restored
            if len(found) == len(ids):
                return [found[i] for i in ids]
        replay = [i for i in ids if i not in found]
        by_type = {t.event_type(): t for t in cls.event_types}
        events: dict[UUID, list[Event]] = {}
        rows = self.conn.execute(
            "SELECT stream_id, event_type, payload FROM core.events "
            "WHERE stream_id = ANY(%s) AND stream_type = %s ORDER BY stream_id, version",
            (replay, cls.stream_type),
        )
        for stream_id, event_type, payload in rows:
            events.setdefault(stream_id, []).append(decode_dataclass(by_type[event_type], payload))
        found.update((i, cls.rehydrate(i, events[i])) for i in events)
        return [found[i] for i in ids if i in found]

    def find_ids(self, cls: type[Aggregate], where: str = "TRUE", params: Iterable[Any] = (),
                 *, order: str = "created_at, stream_id", limit: int | None = None) -> list[UUID]:
        """Ids of entities whose current state matches ``where`` (SQL over ``state``)."""
        query = (
            f"SELECT stream_id FROM core.entities WHERE stream_type = %s AND ({where}) ORDER BY {order}"
            + (f" LIMIT {int(limit)}" if limit else "")
        )
        return [r[0] for r in self.conn.execute(query, (cls.stream_type, *params))]

    def find_all(self, cls: type[A], where: str = "TRUE", params: Iterable[Any] = (), **kwargs: Any) -> list[A]:
        return self.load_many(cls, self.find_ids(cls, where, params, **kwargs))

    def find_one(self, cls: type[A], where: str, params: Iterable[Any] = ()) -> A | None:
        found = self.find_all(cls, where, params, limit=2)
        return found[0] if found else None


def _conflict_message(exc: psycopg.errors.UniqueViolation, aggregates: Sequence[Aggregate]) -> str:
    # "Key (stream_id, version)=(0190..., 3) already exists." -> the entity that collided
    detail = exc.diag.message_detail or ""
    stream = detail.split(")=(", 1)[1].split(",", 1)[0] if ")=(" in detail else ""
    kind = next((a.stream_type for a in aggregates if str(a.id) == stream), "entity")
    return (f"{kind.replace('_', ' ')} {stream} was changed by someone else meanwhile; nothing was saved, "
            "reload and try again")


def _duplicate_message(exc: psycopg.errors.UniqueViolation) -> str:
    detail = exc.diag.message_detail or ""
    # "Key ((state ->> 'email'::text))=(a@b.c) already exists." -> "a@b.c is already taken"
    if ")=(" in detail:
        value = detail.split(")=(", 1)[1].rsplit(") already exists", 1)[0]
        return f"{value} is already taken ({exc.diag.constraint_name})"
    return f"duplicate: {exc.diag.constraint_name}"

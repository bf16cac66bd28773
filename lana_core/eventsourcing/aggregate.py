"""The base of every event-sourced entity.

An aggregate changes only by recording events: ``_record(event)`` applies the event to the
state (``_apply``) and keeps it pending until the event store saves it. Loading replays the
stored events through the same ``_apply``, so the state is always the fold of the events.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from lana_core.eventsourcing.codec import decoder, to_json


@dataclasses.dataclass(frozen=True)
class Event:
    """Base of all events: frozen dataclasses named in the past tense (``AccountFrozen``).
    Their class name is the stored event type."""

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__


A = TypeVar("A", bound="Aggregate")


class Aggregate:
    """Subclasses set ``stream_type`` and ``event_types`` and implement ``_apply``.

    id: the entity's id (also its event stream's id); version: how many events it has.
    """

    stream_type: ClassVar[str]
    event_types: ClassVar[tuple[type[Event], ...]]
    # Whether the aggregate's whole state is its public, annotated attributes, so that its
    # snapshot (core.entities, written with every save) rebuilds it: the store then loads it
    # from there instead of replaying its events. False for aggregates keeping private state.
    restorable: ClassVar[bool] = True

    id: UUID
    version: int

    def __init__(self, id: UUID) -> None:
        self.id = id
        self.version = 0
        self._pending: list[Event] = []

    @classmethod
    def rehydrate(cls: type[A], id: UUID, events: Iterable[Event]) -> A:
        aggregate = cls.__new__(cls)
        Aggregate.__init__(aggregate, id)
        for event in events:
            aggregate._apply(event)
            aggregate.version += 1
        return aggregate

    @classmethod
    def restore(cls: type[A], id: UUID, version: int, state: dict[str, Any]) -> A | None:
        """The aggregate from its snapshot (as ``snapshot()`` wrote it) at ``version``; None if
        the snapshot lacks an attribute (written before the attribute existed: replay it)."""
        decoders = _state_decoders(cls)
        if any(name not in state for name, _ in decoders):
            return None
        aggregate = cls.__new__(cls)
        Aggregate.__init__(aggregate, id)
        aggregate.version = version
        for name, decode in decoders:
            setattr(aggregate, name, decode(state[name]))
        return aggregate

    def _record(self, event: Event) -> None:
        self._apply(event)
        self.version += 1
        self._pending.append(event)

    def _apply(self, event: Event) -> None:
        raise NotImplementedError

    @property
    def pending_events(self) -> list[Event]:
        return list(self._pending)

    def _mark_saved(self) -> None:
        self._pending.clear()

    def snapshot(self) -> dict[str, Any]:
        """The current state as JSON, for the read model (lists, lookups, the CLI)."""
        state = {k: v for k, v in vars(self).items() if not k.startswith("_")}
        return to_json(state)


@cache
def _state_decoders(cls: type[Aggregate]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """(attribute, decoder) for each public attribute the class annotates."""
    hints = typing.get_type_hints(cls)
    return tuple(
        (name, decoder(hint)) for name, hint in hints.items()
        if name not in ("id", "version") and not name.startswith("_") and typing.get_origin(hint) is not ClassVar
    )

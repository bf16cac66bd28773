"""Checks shared by the domain unit tests: a refusal leaves the aggregate as it was, and the
events an aggregate recorded rebuild it (directly, and after a trip through storage's JSON)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest

from lana_core.eventsourcing import Aggregate, Event
from lana_core.eventsourcing.codec import decode_dataclass, to_json


def _state(aggregate: Aggregate) -> tuple[int, list[Event], dict[str, Any], dict[str, Any]]:
    attributes = {k: v for k, v in vars(aggregate).items() if k != "_pending"}
    return aggregate.version, aggregate.pending_events, aggregate.snapshot(), attributes


@contextmanager
def refused(aggregate: Aggregate, error: type[Exception], match: str) -> Iterator[pytest.ExceptionInfo]:
    """The block raises exactly ``error`` (not a subclass or a sibling) with a message containing
    ``match``, and the aggregate is unchanged: same version, no new pending event, same state."""
    before = _state(aggregate)
    with pytest.raises(Exception) as caught:
        yield caught
    assert type(caught.value) is error, f"expected {error.__name__}, got {type(caught.value).__name__}: {caught.value}"
    assert match in str(caught.value), f"{match!r} is not in the message {str(caught.value)!r}"
    assert _state(aggregate) == before


@contextmanager
def raises_exactly(error: type[Exception], match: str) -> Iterator[pytest.ExceptionInfo]:
    """pytest.raises, but for exactly ``error`` (a sibling LanaError is a wrong answer) and a
    message containing ``match``: for refusals with no aggregate to check (creation)."""
    with pytest.raises(Exception) as caught:
        yield caught
    assert type(caught.value) is error, f"expected {error.__name__}, got {type(caught.value).__name__}: {caught.value}"
    assert match in str(caught.value), f"{match!r} is not in the message {str(caught.value)!r}"


def stored(event: Event) -> Event:
    """The event as the event store gives it back: to JSON bytes (orjson, as the store writes)
    and decoded by its class."""
    return decode_dataclass(type(event), orjson.loads(orjson.dumps(to_json(event))))


def assert_rehydrates(aggregate: Aggregate) -> None:
    """Replaying the aggregate's pending events, as recorded and as stored, gives the same
    aggregate: same version, same attributes, same snapshot, nothing pending. A restorable
    aggregate is also the same when restored from its snapshot, as the store writes it."""
    events = aggregate.pending_events
    assert len(events) == aggregate.version
    rebuilt = [type(aggregate).rehydrate(aggregate.id, history) for history in (events, [stored(e) for e in events])]
    if type(aggregate).restorable:
        state = orjson.loads(orjson.dumps(aggregate.snapshot()))
        rebuilt.append(type(aggregate).restore(aggregate.id, aggregate.version, state))
    for replayed in rebuilt:
        assert replayed.version == aggregate.version
        assert replayed.pending_events == []
        assert replayed.snapshot() == aggregate.snapshot()
        assert _state(replayed)[3] == _state(aggregate)[3]

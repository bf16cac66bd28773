"""What the core defines, read off its code, for the gates to hold the warehouse to.

The event types are those of the core's aggregates: every ``Aggregate`` subclass names its
``stream_type`` and the ``event_types`` it records, and the event store writes exactly those
(``Event.event_type()``, the class name) into ``core.events``. They are found by importing the
core's modules and walking the subclasses, so a new aggregate or event is known here as soon as
it exists in the code. Currencies, ledger layers, directions and account statuses are the core's
enums.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import lana_core
from lana_core.eventsourcing import Aggregate
from lana_core.ledger.model import AccountStatus, Direction, Layer
from lana_core.money import Currency

# Packages that define no entities: the entry points, and the warehouse (which imports dbt).
_NO_ENTITIES = ("lana_core.cli", "lana_core.api", "lana_core.warehouse")

CURRENCIES = frozenset(c.value for c in Currency)
LAYERS = frozenset(layer.value for layer in Layer)
DIRECTIONS = frozenset(d.value for d in Direction)
ACCOUNT_STATUSES = frozenset(s.value for s in AccountStatus)


@cache
def stream_event_types() -> dict[str, frozenset[str]]:
    """Every stream type the core's aggregates write, with the event types each records."""
    for module in pkgutil.walk_packages(lana_core.__path__, "lana_core."):
        if not module.name.startswith(_NO_ENTITIES):
            importlib.import_module(module.name)
    known: dict[str, set[str]] = {}
    pending = list(Aggregate.__subclasses__())
    while pending:
        aggregate = pending.pop()
        pending.extend(aggregate.__subclasses__())
        known.setdefault(aggregate.stream_type, set()).update(e.event_type() for e in aggregate.event_types)
    if not known:
        raise RuntimeError("no aggregate found in lana_core: cannot tell which events are known")
    return {stream: frozenset(events) for stream, events in sorted(known.items())}

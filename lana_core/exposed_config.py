"""Business settings operators may change at run time (the seeds' "exposed configs").

Each setting is a small event-sourced entity (one stream per key), so every change is kept with
who made it. Unknown keys and values of the wrong type are refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lana_core.access.domain import Actor
from lana_core.db import UnitOfWork
from lana_core.errors import InvalidInput
from lana_core.eventsourcing import Aggregate, Event

if TYPE_CHECKING:
    from lana_core.app import Lana

_NAMESPACE = uuid.UUID("5b0e7d4a-0c1e-4a53-9f1c-7f3f4c6d2a10")


@dataclass(frozen=True)
class Setting:
    """type: bool, int or str; default: the value until someone sets one; description: what it does."""

    type: type
    default: Any
    description: str


SETTINGS: dict[str, Setting] = {
    "customer.require-verification": Setting(
        bool, False, "Deposit accounts and credit facilities may only be opened for verified customers."
    ),
}


@dataclass(frozen=True)
class ConfigValueSet(Event):
    key: str
    value: Any


class ConfigEntry(Aggregate):
    stream_type = "exposed_config"
    event_types = (ConfigValueSet,)

    key: str
    value: Any

    def set(self, key: str, value: Any) -> None:
        self._record(ConfigValueSet(key, value))

    def _apply(self, event: Event) -> None:
        match event:
            case ConfigValueSet(key, value):
                self.key, self.value = key, value


def _stream_id(key: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, key)


def parse_value(key: str, text: str) -> Any:
    setting = _setting(key)
    if setting.type is bool:
        lowered = text.strip().lower()
        if lowered not in ("true", "false", "yes", "no", "on", "off", "1", "0"):
            raise InvalidInput(f"{key} takes true or false, got {text!r}")
        return lowered in ("true", "yes", "on", "1")
    if setting.type is int:
        try:
            return int(text)
        except ValueError:
            raise InvalidInput(f"{key} takes a whole number, got {text!r}") from None
    return text


def _setting(key: str) -> Setting:
    if key not in SETTINGS:
        raise InvalidInput(f"unknown setting {key!r} (known: {', '.join(sorted(SETTINGS))})")
    return SETTINGS[key]


class ExposedConfig:
    def __init__(self, app: Lana) -> None:
        self.app = app

    def value(self, uow: UnitOfWork, key: str) -> Any:
        """The setting's current value, inside an operation (no separate check or audit)."""
        setting = _setting(key)
        entry = uow.events.find(ConfigEntry, _stream_id(key))
        return setting.default if entry is None else entry.value

    def values(self, actor: Actor) -> dict[str, Any]:
        with self.app.operation(actor, "config/exposed-config/*", "config:exposed-config:read") as uow:
            return {key: self.value(uow, key) for key in sorted(SETTINGS)}

    def set(self, actor: Actor, key: str, value: Any) -> None:
        with self.app.operation(actor, f"config/exposed-config/{key}", "config:exposed-config:update") as uow:
            setting = _setting(key)
            if isinstance(value, bool) != (setting.type is bool) or not isinstance(value, setting.type):
                raise InvalidInput(f"{key} takes a {setting.type.__name__}, got {value!r}")
            entry = uow.events.find(ConfigEntry, _stream_id(key)) or ConfigEntry(_stream_id(key))
            entry.set(key, value)
            uow.events.save(entry)

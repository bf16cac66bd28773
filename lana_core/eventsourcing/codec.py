"""Turning events (frozen dataclasses) into JSON and back, guided by their type hints.

Supported field types: str, int, bool, Decimal, UUID, date, datetime, Enum subclasses, dataclasses of
those, and Optional / tuple / list / frozenset / dict of them. Money stays integer minor units.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID


def to_json(value: Any) -> Any:
    """A JSON-ready copy of ``value``."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_json(v) for v in value), key=str)
    if isinstance(value, dict):
        return {str(to_json(k)): to_json(v) for k, v in value.items()}
    raise TypeError(f"cannot store a {type(value).__name__} in an event: {value!r}")


def from_json(hint: Any, value: Any) -> Any:
    """Rebuild a value of type ``hint`` from its JSON form."""
    return decoder(hint)(value)


def _identity(value: Any) -> Any:
    return value


def _none_or(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else convert(value)


@cache
def decoder(hint: Any) -> Callable[[Any], Any]:
    """The function rebuilding values of type ``hint`` from JSON, worked out once per type (a
    store loading thousands of events a second decodes each field with a ready function)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return decoder(options[0])
    if origin in (tuple, list, frozenset, set):
        args = typing.get_args(hint)
        inner = decoder(args[0] if args else Any)
        make = {tuple: tuple, list: list, frozenset: frozenset, set: set}[origin]
        return _none_or(lambda value: make([inner(v) for v in value]))
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint) or (Any, Any)
        key, val = decoder(key_hint), decoder(value_hint)
        return _none_or(lambda value: {key(k): val(v) for k, v in value.items()})
    if hint is Any or not isinstance(hint, type):
        return _identity
    if hint is int:  # an int dict key comes back as text
        return lambda value: int(value) if isinstance(value, str) else value
    if issubclass(hint, Enum):
        return _none_or(hint)
    if hint is UUID:
        return _none_or(UUID)
    if hint is Decimal:
        return _none_or(Decimal)
    if hint is datetime:
        return _none_or(datetime.fromisoformat)
    if hint is date:
        return _none_or(date.fromisoformat)
    if dataclasses.is_dataclass(hint):
        return _none_or(_dataclass_decoder(hint))
    return _identity


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _dataclass_decoder(cls: type) -> Callable[[dict[str, Any]], Any]:
    hints = _hints(cls)
    fields = [(f.name, decoder(hints[f.name])) for f in dataclasses.fields(cls) if f.init]
    return lambda data: cls(**{name: decode(data.get(name)) for name, decode in fields})


def decode_dataclass(cls: type, data: dict[str, Any]) -> Any:
    return _dataclass_decoder(cls)(data)

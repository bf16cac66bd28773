"""Turning events (frozen dataclasses) into JSON and back, guided by their type hints.

Supported field types: str, int, bool, Decimal, UUID, date, datetime, Enum subclasses, dataclasses of
those, and Optional / tuple / list / frozenset / dict of them. Money stays integer minor units.
"""

from __future__ import annotations

import dataclasses
import types
import typing
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
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return from_json(options[0], value)
    if origin in (tuple, list, frozenset, set):
        args = typing.get_args(hint)
        inner = args[0] if args else Any
        items = [from_json(inner, v) for v in value]
        return {tuple: tuple, list: list, frozenset: frozenset, set: set}[origin](items)
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint) or (Any, Any)
        return {from_json(key_hint, k): from_json(value_hint, v) for k, v in value.items()}
    if hint is Any:
        return value
    if isinstance(hint, type):
        if hint is int and isinstance(value, str):  # an int dict key comes back as text
            return int(value)
        if issubclass(hint, Enum):
            return hint(value)
        if hint is UUID:
            return UUID(value)
        if hint is Decimal:
            return Decimal(value)
        if hint is datetime:
            return datetime.fromisoformat(value)
        if hint is date:
            return date.fromisoformat(value)
        if dataclasses.is_dataclass(hint):
            return decode_dataclass(hint, value)
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode_dataclass(cls: type, data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    return cls(**{f.name: from_json(hints[f.name], data.get(f.name)) for f in dataclasses.fields(cls) if f.init})

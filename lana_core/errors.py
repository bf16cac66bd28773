"""The root of every error Lana reports to an operator, and parsing helpers that raise it.

A ``LanaError`` is an expected refusal (bad input, wrong state, missing permission): the CLI
prints its message as one line and exits non-zero. Anything else is a bug.
"""

from enum import Enum
from typing import TypeVar


class LanaError(Exception):
    """An operation was refused; the message says why in one line."""


class NotFound(LanaError):
    """The thing named does not exist."""


class InvalidInput(LanaError):
    """The input is malformed or violates a rule; nothing was changed."""


E = TypeVar("E", bound=Enum)


def parse_enum(enum: type[E], value: object, what: str) -> E:
    """``enum(value)``, refusing an unknown value with the known ones listed."""
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(str(m.value) for m in enum)
        raise InvalidInput(f"unknown {what} {value!r} (known: {known})") from None

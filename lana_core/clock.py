"""The clock port: what time it is for the bank.

Production uses the system clock. Tests and the simulator use a clock they move themselves, so
that effective dates, recorded times and end-of-day jobs are reproducible.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...

    def today(self) -> date:
        """The current business date (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock that only moves when told to (tests, simulations)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("a clock does not go backwards")
        self._now += delta

    def set(self, instant: datetime) -> None:
        instant = instant.astimezone(timezone.utc)
        if instant < self._now:
            raise ValueError("a clock does not go backwards")
        self._now = instant

"""A simulated bitcoin price: a deterministic daily path, for tests and simulations.

The price of day 0 (``start_date``) is ``start_price_cents``; each later day moves it by a step
drawn from the seed, in whole basis points, up to ``volatility_bps`` either way, or up to
``calm_volatility_bps`` in calm stretches (stretches of 5 to 30 days, alternating, their lengths
drawn from the seed too). On a configured crash's days the draw is replaced by the crash: from
the price of the day before it, equal steps to ``change_bps`` by its last day. The price never
goes below ``floor_cents``.

Everything is integer arithmetic on cents and draws come from SHA-256 of (seed, day, purpose):
the same seed and parameters give the same price for the same instant, on any machine and any
Python version. The price of an instant is the price of its UTC day (before the start: the start
price).
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timezone

from lana_core.price.domain import MAX_PRICE_CENTS, SimulatedConfig

_STRETCH_MIN, _STRETCH_MAX = 5, 30
_CACHE_SIZE = 32
_paths: dict[SimulatedConfig, list[int]] = {}
_lock = threading.Lock()


def price_at(config: SimulatedConfig, at: datetime) -> int:
    """The price, in cents, at an instant (timezone-aware)."""
    if at.tzinfo is None:
        raise ValueError("a simulated price needs a timezone-aware instant")
    return price_on_day(config, (at.astimezone(timezone.utc).date() - config.start_date).days)


def price_on_day(config: SimulatedConfig, day: int) -> int:
    """The price on day ``day`` of the path (0: the start date; before it: the start price)."""
    if day <= 0:
        return config.start_price_cents
    with _lock:
        path = _paths.pop(config, None)  # re-inserted last: the most recently used stays
        if path is None:
            path = [config.start_price_cents]
            while len(_paths) >= _CACHE_SIZE:
                _paths.pop(next(iter(_paths)))
        _extend(config, path, day)
        _paths[config] = path
        return path[day]


def path(config: SimulatedConfig, days: int) -> list[int]:
    """The prices of days 0 to ``days``."""
    price_on_day(config, days)
    with _lock:
        return list(_paths[config][: days + 1]) if days > 0 else [config.start_price_cents]


def _draw(seed: int, day: int, purpose: str) -> int:
    digest = hashlib.sha256(f"lana-price:{seed}:{day}:{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _extend(config: SimulatedConfig, prices: list[int], upto: int) -> None:
    """Append the prices of the days after those known, through day ``upto``."""
    if len(prices) > upto:
        return
    crash_days: dict[int, tuple[int, int, int]] = {}  # day -> (first day, change_bps, step of days)
    for crash in config.crashes:
        first = (crash.start - config.start_date).days
        for k in range(crash.days):
            crash_days[first + k] = (first, crash.change_bps, crash.days)
    calm, left = _regime_at(config, len(prices))
    for day in range(len(prices), upto + 1):
        if left == 0:
            calm, left = _next_stretch(config, day, calm)
        left -= 1
        if day in crash_days:
            first, change, days = crash_days[day]
            step = day - first + 1
            base = prices[first - 1]
            price = base * (10_000 * days + change * step) // (10_000 * days)
        else:
            vol = config.calm_volatility_bps if calm else config.volatility_bps
            move = _draw(config.seed, day, "move") % (2 * vol + 1) - vol
            price = prices[-1] * (10_000 + move) // 10_000
        prices.append(min(max(price, config.floor_cents), MAX_PRICE_CENTS))


def _next_stretch(config: SimulatedConfig, day: int, calm: bool) -> tuple[bool, int]:
    """The stretch starting on ``day``: calm or not (alternating; the first one drawn), and its length."""
    calm = _draw(config.seed, day, "first-regime") % 2 == 0 if day == 1 else not calm
    length = _STRETCH_MIN + _draw(config.seed, day, "stretch") % (_STRETCH_MAX - _STRETCH_MIN + 1)
    return calm, length


def _regime_at(config: SimulatedConfig, day: int) -> tuple[bool, int]:
    """Whether day ``day`` starts in a calm stretch, and how many days of the stretch are left
    before it (0: a new stretch starts on ``day``)."""
    calm, left = False, 0
    for d in range(1, day):
        if left == 0:
            calm, left = _next_stretch(config, d, calm)
        left -= 1
    return calm, left


def stretches(config: SimulatedConfig, days: int) -> list[tuple[int, int, bool]]:
    """The stretches through day ``days``: (first day, last day, calm)."""
    out: list[tuple[int, int, bool]] = []
    calm, left = False, 0
    for d in range(1, days + 1):
        if left == 0:
            calm, left = _next_stretch(config, d, calm)
            out.append((d, min(d + left - 1, days), calm))
        left -= 1
    return out

"""The simulated price path: deterministic, crashes that really crash, calm stretches, a floor."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from lana_core.price import simulated
from lana_core.price.domain import Crash, SimulatedConfig

START = date(2026, 1, 1)
CRASH = Crash(date(2026, 3, 10), -4500, 3)  # -45% over three days
CONFIG = SimulatedConfig(seed=42, start_date=START, start_price_cents=100_000_00, volatility_bps=300,
                         calm_volatility_bps=50, floor_cents=1_000_00, crashes=(CRASH,))


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def day_index(day: date) -> int:
    return (day - START).days


def test_the_same_seed_and_parameters_give_the_same_price_for_the_same_instant():
    instants = [at(START + timedelta(days=d), h) for d in (0, 1, 17, 68, 69, 70, 200) for h in (0, 13, 23)]
    first = [simulated.price_at(CONFIG, t) for t in instants]
    # a config equal to it but built anew, after other paths filled the cache
    for seed in range(40):
        simulated.price_on_day(SimulatedConfig(seed=seed), 30)
    again = SimulatedConfig(**{f: getattr(CONFIG, f) for f in CONFIG.__dataclass_fields__})
    assert [simulated.price_at(again, t) for t in reversed(instants)] == list(reversed(first))
    assert all(type(p) is int and p > 0 for p in first)


def test_the_price_of_an_instant_is_the_price_of_its_utc_day_and_the_start_price_before_the_start():
    day = date(2026, 2, 5)
    assert simulated.price_at(CONFIG, at(day, 0)) == simulated.price_at(CONFIG, at(day, 23))
    same_instant_elsewhere = datetime(2026, 2, 5, 20, tzinfo=timezone(timedelta(hours=-5)))  # Feb 6, 01:00 UTC
    assert simulated.price_at(CONFIG, same_instant_elsewhere) == simulated.price_on_day(CONFIG, day_index(day) + 1)
    assert simulated.price_at(CONFIG, at(START)) == simulated.price_at(CONFIG, at(date(2025, 6, 1))) == 100_000_00
    with pytest.raises(ValueError, match="timezone-aware"):
        simulated.price_at(CONFIG, datetime(2026, 2, 5))


def test_another_seed_gives_another_path():
    other = SimulatedConfig(seed=43, crashes=(CRASH,))
    assert simulated.path(CONFIG, 60) != simulated.path(other, 60)


def test_computing_the_path_in_pieces_gives_the_same_prices_as_at_once():
    piecewise = SimulatedConfig(seed=42, crashes=(CRASH,), floor_cents=1_000_01)  # not cached yet
    for day in (3, 10, 11, 50, 68, 69, 120):
        simulated.price_on_day(piecewise, day)
    whole = SimulatedConfig(seed=42, crashes=(CRASH,), floor_cents=1_000_02)
    assert simulated.path(piecewise, 120) == simulated.path(whole, 120)


def test_daily_moves_stay_within_the_volatility_and_calm_stretches_move_less():
    prices = simulated.path(CONFIG, 300)
    crash_days = {day_index(CRASH.start) + k for k in range(CRASH.days)}
    stretches = simulated.stretches(CONFIG, 300)
    assert {calm for _, _, calm in stretches} == {True, False}
    assert all(5 <= last - first + 1 <= 30 for first, last, _ in stretches[:-1])
    for first, last, calm in stretches:
        limit = CONFIG.calm_volatility_bps if calm else CONFIG.volatility_bps
        for d in range(first, last + 1):
            if d not in crash_days:
                move = abs(prices[d] - prices[d - 1])
                assert move <= prices[d - 1] * limit // 10_000 + 1, (d, calm)
    assert prices[1:] != prices[:-1]  # it moves


def test_the_crash_really_drops_the_price_by_its_change_over_its_days():
    prices = simulated.path(CONFIG, 100)
    first = day_index(CRASH.start)
    before = prices[first - 1]
    during = prices[first:first + CRASH.days]
    assert during == [before * (30_000 - 4500 * k) // 30_000 for k in (1, 2, 3)]  # equal steps to -45%
    assert during[-1] == before * 55 // 100
    assert before > during[0] > during[1] > during[2]
    # after the crash the walk resumes from the crashed price
    assert abs(prices[first + CRASH.days] - during[-1]) <= during[-1] * 300 // 10_000 + 1
    without = SimulatedConfig(seed=42)
    assert simulated.path(without, first - 1) == prices[:first]  # the same walk up to the crash
    assert simulated.price_on_day(without, first + 2) > prices[first + 2] * 1.5


def test_the_price_never_goes_below_the_floor():
    floored = SimulatedConfig(seed=5, start_price_cents=2_000_00, floor_cents=1_500_00, volatility_bps=2000,
                              calm_volatility_bps=2000,
                              crashes=(Crash(date(2026, 2, 1), -9000, 2), Crash(date(2026, 4, 1), -5000, 1)))
    prices = simulated.path(floored, 200)
    assert min(prices) == 1_500_00  # it got there, and no further
    assert all(p >= 1_500_00 for p in prices)
    assert prices[day_index(date(2026, 2, 2))] == 1_500_00  # the crash stops at the floor

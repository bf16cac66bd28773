"""The price context's rules: the median of the quotes, Bitfinex's dollars as cents, and the
provider entity."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import uuid4

import pytest

from lana_core.errors import InvalidInput
from lana_core.price.domain import (
    BitfinexConfig,
    Crash,
    ManualConfig,
    PriceError,
    PriceProvider,
    PriceProviderActivated,
    PriceProviderConfigUpdated,
    PriceProviderDeactivated,
    PriceProviderRegistered,
    ProviderKind,
    SimulatedConfig,
    dollars_to_cents,
    make_config,
    median_price,
    parse_percent,
    percent,
)
from lana_core.price.sources import ManualSource, QuoteFailed, parse_ticker, source_for
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly, refused

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


# --- the median ---------------------------------------------------------------------------


def test_the_published_price_of_an_odd_count_of_quotes_is_the_middle_one():
    assert median_price([7_000_000, 6_900_000, 7_100_000]) == 7_000_000
    assert median_price([6_500_000]) == 6_500_000
    assert median_price([5, 1, 4, 2, 3]) == 3


def test_the_published_price_of_an_even_count_of_quotes_is_the_upper_middle_one():
    assert median_price([6_900_000, 7_100_000]) == 7_100_000
    assert median_price([4, 1, 3, 2]) == 3
    assert median_price([10, 10, 20, 20]) == 20


def test_the_median_does_not_depend_on_the_order_of_the_quotes():
    quotes = [6_950_000, 7_020_000, 6_880_000, 7_400_000]
    assert median_price(quotes) == median_price(list(reversed(quotes))) == median_price(sorted(quotes)) == 7_020_000


def test_there_is_no_median_of_no_quote():
    with raises_exactly(PriceError, "no quote"):
        median_price([])


# --- Bitfinex's dollars as cents ----------------------------------------------------------


@pytest.mark.parametrize(("dollars", "cents"), [
    ("67890", 6_789_000),
    ("67890.5", 6_789_050),
    ("67890.57", 6_789_057),
    ("0.01", 1),
    ("1.005", 101),        # a fraction of a cent is rounded half up
    ("1.0049", 100),
    ("6.789e4", 6_789_000),
    (" 100000 ", 10_000_000),
    (Decimal("104250.123"), 10_425_012),
    (67890, 6_789_000),
])
def test_a_bitfinex_price_in_dollars_becomes_exact_integer_cents(dollars, cents):
    converted = dollars_to_cents(dollars)
    assert converted == cents and type(converted) is int


def test_a_price_that_is_not_exact_or_not_positive_is_refused():
    with raises_exactly(InvalidInput, "is a decimal number"):
        dollars_to_cents(67890.5)  # a float is never exact
    with raises_exactly(InvalidInput, "is a decimal number"):
        dollars_to_cents(True)
    with raises_exactly(InvalidInput, "is not a price in dollars"):
        dollars_to_cents("sixty thousand")
    with raises_exactly(InvalidInput, "is not a plausible price"):
        dollars_to_cents("1e100")
    for bad in ("0", "-1", "NaN", "Infinity", "0.004"):
        with pytest.raises(InvalidInput):
            dollars_to_cents(bad)


def test_the_last_price_is_read_from_element_six_of_the_ticker_without_going_through_a_float():
    # 0.1 + 0.2 style: a float parse of 67890.29 gives 6789028.999... cents
    body = b"[67889.1,3.2,67890.2,4.1,-120.5,-0.0018,67890.29,812.5,68100,67000]"
    assert parse_ticker(body) == 6_789_029
    assert parse_ticker(b"[1,2,3,4,5,6,104000,8,9,10]") == 10_400_000


@pytest.mark.parametrize(("body", "why"), [
    (b"<html>rate limited</html>", "not JSON"),
    (b'["error",10020,"symbol: invalid"]', "no ticker"),
    (b'{"last_price": 1}', "no ticker"),
    (b"[1,2,3,4,5,6,null,8]", "unusable"),
    (b"[1,2,3,4,5,6,-5,8]", "unusable"),
])
def test_a_ticker_answer_without_a_usable_last_price_is_a_failed_quote(body, why):
    with pytest.raises(QuoteFailed, match=why):
        parse_ticker(body)


# --- percentages and crashes --------------------------------------------------------------


def test_percentages_are_read_as_whole_basis_points():
    assert [parse_percent(t) for t in ("-45%", "3", "2.5%", " 0.25 % ")] == [-4500, 300, 250, 25]
    assert [percent(b) for b in (-4500, 300, 250, 25, 0)] == ["-45%", "3%", "2.5%", "0.25%", "0%"]
    with raises_exactly(InvalidInput, "at most two decimal places"):
        parse_percent("1.005%")
    with raises_exactly(InvalidInput, "is not a percentage"):
        parse_percent("lots")


def test_a_crash_is_written_date_change_and_days():
    assert Crash.parse("2026-03-10:-45%:3") == Crash(date(2026, 3, 10), -4500, 3)
    assert Crash.parse("2026-03-10:-20%") == Crash(date(2026, 3, 10), -2000, 1)
    assert Crash(date(2026, 3, 10), -4500, 3).end == date(2026, 3, 12)
    with raises_exactly(InvalidInput, "DATE:CHANGE[:DAYS]"):
        Crash.parse("-45%")
    with raises_exactly(InvalidInput, "is not a date"):
        Crash.parse("10/03/2026:-45%")


# --- configurations -----------------------------------------------------------------------


def test_each_kind_has_default_settings_that_settings_given_override():
    assert make_config(ProviderKind.BITFINEX) == BitfinexConfig("https://api-pub.bitfinex.com", 5)
    assert make_config(ProviderKind.BITFINEX, {"base_url": "http://127.0.0.1:9"}).base_url == "http://127.0.0.1:9"
    assert make_config(ProviderKind.MANUAL) == ManualConfig(None)
    simulated = make_config(ProviderKind.SIMULATED, {"seed": 7, "crashes": (
        Crash(date(2026, 6, 1), -1000, 2), Crash(date(2026, 3, 10), -4500, 3))})
    assert simulated.seed == 7 and [c.start for c in simulated.crashes] == [date(2026, 3, 10), date(2026, 6, 1)]


@pytest.mark.parametrize(("kind", "settings", "why"), [
    (ProviderKind.BITFINEX, {"seed": 3}, "a bitfinex provider has no setting seed"),
    (ProviderKind.BITFINEX, {"base_url": "api-pub.bitfinex.com"}, "http(s) address"),
    (ProviderKind.BITFINEX, {"timeout_seconds": 0}, "1 to 60 seconds"),
    (ProviderKind.BITFINEX, {"timeout_seconds": 2.5}, "timeout_seconds is a whole number"),
    (ProviderKind.MANUAL, {"price_cents_per_btc": 0}, "positive number of cents"),
    (ProviderKind.MANUAL, {"price_cents_per_btc": 6789050.0}, "positive number of cents"),
    (ProviderKind.SIMULATED, {"floor_cents": 200_000_00}, "is below the floor"),
    (ProviderKind.SIMULATED, {"volatility_bps": 6000}, "0% to 50%"),
    (ProviderKind.SIMULATED, {"calm_volatility_bps": 400}, "calm volatility"),
    (ProviderKind.SIMULATED, {"crashes": (Crash(date(2026, 1, 1), -4500, 3),)}, "does not start after"),
    (ProviderKind.SIMULATED, {"crashes": (Crash(date(2026, 3, 1), -10000, 3),)}, "more than -100%"),
    (ProviderKind.SIMULATED, {"crashes": (Crash(date(2026, 3, 1), -4500, 5), Crash(date(2026, 3, 4), -10, 1))},
     "overlap"),
])
def test_settings_that_make_no_sense_for_the_kind_are_refused(kind, settings, why):
    with raises_exactly(InvalidInput, why):
        make_config(kind, settings)


# --- the provider -------------------------------------------------------------------------


def manual(price: int | None = None) -> PriceProvider:
    return PriceProvider.register(uuid4(), "manual", ProviderKind.MANUAL, ManualConfig(price))


def test_a_registered_provider_is_inactive_with_its_configuration():
    provider = PriceProvider.register(uuid4(), " bitfinex ", ProviderKind.BITFINEX)
    assert (provider.name, provider.kind, provider.config, provider.active) == (
        "bitfinex", ProviderKind.BITFINEX, BitfinexConfig(), False)
    assert provider.pending_events == [PriceProviderRegistered(
        "bitfinex", ProviderKind.BITFINEX, {"base_url": "https://api-pub.bitfinex.com", "timeout_seconds": 5})]
    assert provider.snapshot()["config"] == {"base_url": "https://api-pub.bitfinex.com", "timeout_seconds": 5}
    assert_rehydrates(provider)


def test_a_provider_needs_a_name_and_the_configuration_of_its_kind():
    with raises_exactly(InvalidInput, "is not a provider name"):
        PriceProvider.register(uuid4(), "  ", ProviderKind.MANUAL)
    with raises_exactly(InvalidInput, "is not a provider name"):
        PriceProvider.register(uuid4(), "bad/name", ProviderKind.MANUAL)
    with raises_exactly(InvalidInput, "a manual provider is configured with a ManualConfig"):
        PriceProvider.register(uuid4(), "m", ProviderKind.MANUAL, BitfinexConfig())


def test_a_manual_provider_takes_a_price_and_is_activated_and_deactivated():
    provider = manual()
    with refused(provider, PriceError, "has no price yet: set one before activating it"):
        provider.activate()
    provider.set_manual_price(6_789_050)
    provider.set_manual_price(6_789_050)  # the same price again records nothing
    provider.activate()
    with refused(provider, PriceError, "is already active"):
        provider.activate()
    with refused(provider, PriceError, "its price cannot be removed"):
        provider.configure({"price_cents_per_btc": None})
    provider.deactivate()
    with refused(provider, PriceError, "is already inactive"):
        provider.deactivate()
    assert [type(e) for e in provider.pending_events] == [
        PriceProviderRegistered, PriceProviderConfigUpdated, PriceProviderActivated, PriceProviderDeactivated]
    assert (provider.config.price_cents_per_btc, provider.active) == (6_789_050, False)
    assert_rehydrates(provider)


def test_only_a_manual_provider_takes_a_price_and_a_price_is_positive_cents():
    bitfinex = PriceProvider.register(uuid4(), "bitfinex", ProviderKind.BITFINEX)
    with refused(bitfinex, PriceError, "is a bitfinex provider: only a manual one takes a price"):
        bitfinex.set_manual_price(6_789_050)
    provider = manual(100)
    for bad in (0, -5, 67890.5, True):
        with refused(provider, InvalidInput, "positive number of cents"):
            provider.set_manual_price(bad)


def test_reconfiguring_keeps_the_other_settings_and_rehydrates_through_storage():
    provider = PriceProvider.register(uuid4(), "sim", ProviderKind.SIMULATED, SimulatedConfig(seed=1))
    provider.configure({"crashes": (Crash(date(2026, 3, 10), -4500, 3),), "seed": 9})
    assert (provider.config.seed, provider.config.start_price_cents) == (9, 100_000_00)
    assert provider.config.crashes == (Crash(date(2026, 3, 10), -4500, 3),)
    with refused(provider, InvalidInput, "a simulated provider has no setting base_url"):
        provider.configure({"base_url": "http://x"})
    assert_rehydrates(provider)


def test_each_kind_quotes_through_its_adapter():
    assert source_for(manual(6_500_000)).quote(NOW) == 6_500_000
    with pytest.raises(QuoteFailed, match="no manual price is set"):
        ManualSource(ManualConfig()).quote(NOW)
    sim = PriceProvider.register(uuid4(), "sim", ProviderKind.SIMULATED, SimulatedConfig(seed=3))
    assert source_for(sim).quote(NOW) == source_for(sim).quote(NOW) > 0

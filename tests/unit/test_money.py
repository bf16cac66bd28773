import pytest

from lana_core.errors import InvalidInput
from lana_core.money import Currency, Money, format_minor


def test_decimal_text_becomes_exact_minor_units():
    assert Money.parse("12.34", "USD") == Money(1234, Currency.USD)
    assert Money.parse("1,000,000.5", Currency.USD) == Money(100_000_050, Currency.USD)
    assert Money.parse("0.00000001", "btc") == Money(1, Currency.BTC)
    assert Money.parse("21", "BTC").amount == 2_100_000_000


def test_more_decimal_places_than_the_currency_has_are_refused():
    with pytest.raises(InvalidInput, match="more than 2 decimal places"):
        Money.parse("1.001", "USD")
    with pytest.raises(InvalidInput, match="more than 8 decimal places"):
        Money.parse("0.000000001", "BTC")


@pytest.mark.parametrize("text", ["", "abc", "1e5", "1.2.3", "NaN", "12 USD"])
def test_non_decimal_text_is_refused(text):
    with pytest.raises(InvalidInput):
        Money.parse(text, "USD")


def test_floats_are_never_money():
    with pytest.raises(InvalidInput):
        Money(12.5, Currency.USD)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Money(True, Currency.USD)  # type: ignore[arg-type]


def test_unknown_currency_is_refused_with_the_known_ones():
    with pytest.raises(InvalidInput, match="known: USD, BTC"):
        Currency.parse("EUR")


def test_formatting_is_exact():
    assert format_minor(123456789, Currency.USD) == "1,234,567.89"
    assert format_minor(-5, Currency.USD) == "-0.05"
    assert format_minor(150_000_000, Currency.BTC) == "1.50000000"
    assert str(Money(7, Currency.USD)) == "0.07 USD"

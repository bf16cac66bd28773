"""Money: an integer number of minor units (cents, satoshis) of one currency. Never a float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from lana_core.errors import InvalidInput


class Currency(StrEnum):
    USD = "USD"
    BTC = "BTC"

    @property
    def exponent(self) -> int:
        """Decimal places of the major unit: 1 USD = 10**2 cents, 1 BTC = 10**8 satoshis."""
        return _EXPONENTS[self]

    @property
    def minor_unit(self) -> str:
        return "cents" if self is Currency.USD else "sats"

    @classmethod
    def parse(cls, text: str) -> Currency:
        try:
            return cls(text.strip().upper())
        except ValueError:
            known = ", ".join(c.value for c in cls)
            raise InvalidInput(f"unknown currency {text!r} (known: {known})") from None


_EXPONENTS = {Currency.USD: 2, Currency.BTC: 8}
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True, order=True)
class Money:
    """amount: integer minor units; currency: what they are units of."""

    amount: int
    currency: Currency

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidInput(f"money amounts are integer minor units, got {self.amount!r}")

    @classmethod
    def parse(cls, text: str, currency: Currency | str) -> Money:
        """Parse a decimal amount in major units ("12.34" USD -> 1234 cents), refusing extra places."""
        currency = Currency.parse(currency) if isinstance(currency, str) else currency
        cleaned = text.strip().replace(",", "").replace("_", "")
        if not _DECIMAL.match(cleaned):
            raise InvalidInput(f"{text!r} is not a decimal amount")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise InvalidInput(f"{text!r} is not a decimal amount") from None
        minor = value.scaleb(currency.exponent)
        if minor != minor.to_integral_value():
            raise InvalidInput(
                f"{text} {currency} has more than {currency.exponent} decimal places"
            )
        return cls(int(minor), currency)

    def __str__(self) -> str:
        return f"{format_minor(self.amount, self.currency)} {self.currency}"


def format_minor(amount: int, currency: Currency) -> str:
    """1234 cents -> '12.34'; exact, with thousands separators."""
    exp = currency.exponent
    sign = "-" if amount < 0 else ""
    major, minor = divmod(abs(amount), 10**exp)
    return f"{sign}{major:,}.{minor:0{exp}d}"


def whole_units(value: object, what: str, *, minimum: int = 1) -> int:
    """``value`` if it is an integer number of minor units (not a bool, not a float) of at
    least ``minimum``; otherwise InvalidInput naming ``what``, e.g. "a payment (cents)"."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        floor = "a positive" if minimum == 1 else ("a non-negative" if minimum == 0 else f"at least {minimum},")
        raise InvalidInput(f"{what} must be {floor} whole number, got {value!r}")
    return value

"""Price providers and the rule that makes one published price of their quotes. Plain Python:
no database, no network here.

A price is integer US cents per bitcoin. Each configured provider (Bitfinex's public ticker, a
price an operator types in, or a simulated path for tests and simulations) is a ``PriceProvider``
entity; the published price is the median of the active providers' quotes (sorted, the element
at ``len // 2``: the upper middle one for an even count).
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from uuid import UUID

from lana_core.errors import InvalidInput, LanaError
from lana_core.eventsourcing import Aggregate, Event
from lana_core.eventsourcing.codec import decode_dataclass, to_json
from lana_core.money import Currency, format_minor

DEFAULT_BITFINEX_URL = "https://api-pub.bitfinex.com"
MAX_PRICE_CENTS = 10**15  # ten trillion dollars: anything above is a malformed answer
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")


class PriceError(LanaError):
    pass


class ProviderKind(StrEnum):
    BITFINEX = "bitfinex"    # the public ticker of Bitfinex (HTTP)
    MANUAL = "manual"        # a price an operator sets
    SIMULATED = "simulated"  # a deterministic path from a seed (tests, simulations)


# --- the published price ------------------------------------------------------------------


def median_price(quotes: Sequence[int]) -> int:
    """The published price of these quotes: sorted, the element at ``len // 2`` (for an even
    count, the upper of the two middle ones, as Lana does)."""
    if not quotes:
        raise PriceError("no quote to publish a price from")
    return sorted(quotes)[len(quotes) // 2]


def dollars_to_cents(value: str | int | Decimal) -> int:
    """A price in dollars (a JSON number read as Decimal, or its text) as integer cents, exactly;
    a fraction of a cent is rounded half up. Floats are refused: they are not exact."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise InvalidInput(f"a price in dollars is a decimal number, got {value!r}")
    try:
        dollars = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not a price in dollars") from None
    if not dollars.is_finite() or dollars <= 0:
        raise InvalidInput(f"a price must be a positive amount, got {value!r}")
    if dollars * 100 > MAX_PRICE_CENTS:
        raise InvalidInput(f"{value!r} dollars per bitcoin is not a plausible price")
    cents = int((dollars * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents <= 0:
        raise InvalidInput(f"a price must be at least one cent, got {value!r}")
    return cents


def parse_percent(text: str) -> int:
    """A percentage ("-45%", "3", "2.5%") as integer basis points (-4500, 300, 250)."""
    cleaned = text.strip().removesuffix("%").strip()
    try:
        bps = Decimal(cleaned) * 100
    except InvalidOperation:
        raise InvalidInput(f"{text!r} is not a percentage") from None
    if not bps.is_finite() or bps != bps.to_integral_value():
        raise InvalidInput(f"{text!r}: a percentage has at most two decimal places")
    return int(bps)


def percent(bps: int) -> str:
    """Basis points as a percentage: -4500 -> '-45%', 250 -> '2.5%'."""
    text = f"{Decimal(bps) / 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def usd(cents: int) -> str:
    return f"{format_minor(cents, Currency.USD)} USD"


# --- provider configurations --------------------------------------------------------------


@dataclass(frozen=True)
class BitfinexConfig:
    """base_url: where the public API answers (``GET {base_url}/v2/ticker/tBTCUSD``);
    timeout_seconds: how long one request may take before the provider counts as failed."""

    base_url: str = DEFAULT_BITFINEX_URL
    timeout_seconds: int = 5

    def problems(self) -> list[str]:
        out = []
        if not re.match(r"^https?://[^\s/]+", self.base_url or ""):
            out.append(f"the base url is an http(s) address, got {self.base_url!r}")
        if not 1 <= self.timeout_seconds <= 60:
            out.append(f"the timeout is 1 to 60 seconds, got {self.timeout_seconds}")
        return out

    def describe(self) -> str:
        return f"{self.base_url} (timeout {self.timeout_seconds} s)"


@dataclass(frozen=True)
class ManualConfig:
    """price_cents_per_btc: the price an operator set (None until one is)."""

    price_cents_per_btc: int | None = None

    def problems(self) -> list[str]:
        price = self.price_cents_per_btc
        if price is not None and (isinstance(price, bool) or not isinstance(price, int) or price <= 0):
            return [f"a manual price is a positive number of cents, got {price!r}"]
        if price is not None and price > MAX_PRICE_CENTS:
            return [f"{usd(price)} per bitcoin is not a plausible price"]
        return []

    def describe(self) -> str:
        return "no price set" if self.price_cents_per_btc is None else usd(self.price_cents_per_btc)


@dataclass(frozen=True)
class Crash:
    """A configured move of a simulated price: from the price the day before ``start``, the
    price changes by ``change_bps`` (basis points: -4500 is -45%) in equal steps over ``days``."""

    start: date
    change_bps: int
    days: int = 1

    @classmethod
    def parse(cls, text: str) -> Crash:
        """``DATE:CHANGE[:DAYS]``, e.g. ``2026-03-10:-45%:3``."""
        parts = text.strip().split(":")
        if len(parts) not in (2, 3):
            raise InvalidInput(f"a crash is DATE:CHANGE[:DAYS] (e.g. 2026-03-10:-45%:3), got {text!r}")
        try:
            start = date.fromisoformat(parts[0])
        except ValueError:
            raise InvalidInput(f"{parts[0]!r} is not a date (YYYY-MM-DD)") from None
        try:
            days = int(parts[2]) if len(parts) == 3 else 1
        except ValueError:
            raise InvalidInput(f"{parts[2]!r} is not a number of days") from None
        return cls(start, parse_percent(parts[1]), days)

    @property
    def end(self) -> date:
        """The crash's last day."""
        return date.fromordinal(self.start.toordinal() + self.days - 1)

    def describe(self) -> str:
        return f"{self.start} {percent(self.change_bps)} over {self.days} day{'s' if self.days != 1 else ''}"


@dataclass(frozen=True)
class SimulatedConfig:
    """A deterministic daily price path (see ``simulated.py``).

    seed: picks the path; start_date / start_price_cents: where it starts (the price of that
    day and of any instant before it); volatility_bps: the largest daily move in a normal
    stretch, calm_volatility_bps in a calm one (basis points); floor_cents: the price never goes
    below it; crashes: configured moves on given dates, which do not overlap."""

    seed: int = 0
    start_date: date = date(2026, 1, 1)
    start_price_cents: int = 100_000_00
    volatility_bps: int = 300
    calm_volatility_bps: int = 50
    floor_cents: int = 1_000_00
    crashes: tuple[Crash, ...] = ()

    def problems(self) -> list[str]:
        out = []
        if not 0 < self.start_price_cents <= MAX_PRICE_CENTS:
            out.append("the start price must be positive and plausible")
        if self.floor_cents <= 0:
            out.append("the floor must be positive")
        elif self.start_price_cents < self.floor_cents:
            out.append(f"the start price ({usd(self.start_price_cents)}) is below the floor ({usd(self.floor_cents)})")
        if not 0 <= self.volatility_bps <= 5000:
            out.append(f"the daily volatility is 0% to 50%, got {percent(self.volatility_bps)}")
        if not 0 <= self.calm_volatility_bps <= self.volatility_bps:
            out.append(f"the calm volatility is 0% to the volatility, got {percent(self.calm_volatility_bps)}")
        previous: Crash | None = None
        for crash in sorted(self.crashes, key=lambda c: c.start):
            if crash.start <= self.start_date:
                out.append(f"the crash of {crash.start} does not start after the path does ({self.start_date})")
            if not 1 <= crash.days <= 366:
                out.append(f"a crash lasts 1 to 366 days, got {crash.days}")
            if not -10000 < crash.change_bps <= 100000:
                out.append(f"a crash changes the price by more than -100% and at most +1000%, "
                           f"got {percent(crash.change_bps)}")
            if previous is not None and crash.start <= previous.end:
                out.append(f"the crashes of {previous.start} and {crash.start} overlap")
            previous = crash
        return out

    def describe(self) -> str:
        text = (f"seed {self.seed}, from {usd(self.start_price_cents)} on {self.start_date}, daily moves up to "
                f"{percent(self.volatility_bps)} (calm {percent(self.calm_volatility_bps)}), "
                f"floor {usd(self.floor_cents)}")
        if self.crashes:
            text += ", crashes: " + "; ".join(c.describe() for c in sorted(self.crashes, key=lambda c: c.start))
        return text


ProviderConfig = BitfinexConfig | ManualConfig | SimulatedConfig
CONFIG_TYPES: dict[ProviderKind, type] = {
    ProviderKind.BITFINEX: BitfinexConfig,
    ProviderKind.MANUAL: ManualConfig,
    ProviderKind.SIMULATED: SimulatedConfig,
}


def make_config(kind: ProviderKind, settings: Mapping[str, Any] | None = None) -> ProviderConfig:
    """A provider's configuration: the kind's defaults with ``settings`` over them."""
    return with_changes(CONFIG_TYPES[kind](), settings or {})


def with_changes(config: ProviderConfig, changes: Mapping[str, Any]) -> ProviderConfig:
    """The configuration with some settings changed; unknown settings are refused."""
    known = {f.name for f in dataclasses.fields(config)}
    unknown = sorted(set(changes) - known)
    if unknown:
        kind = next(k for k, t in CONFIG_TYPES.items() if isinstance(config, t))
        raise InvalidInput(f"a {kind} provider has no setting {', '.join(unknown)} (its settings: "
                           f"{', '.join(sorted(known))})")
    changed = dataclasses.replace(config, **changes)
    if isinstance(changed, SimulatedConfig):
        changed = dataclasses.replace(changed, crashes=tuple(sorted(changed.crashes, key=lambda c: c.start)))
    _check_types(changed)
    problems = changed.problems()
    if problems:
        raise InvalidInput("; ".join(problems))
    return changed


def _check_types(config: ProviderConfig) -> None:
    """Settings of plain types (whole numbers, text, dates) hold values of those types."""
    hints = typing.get_type_hints(type(config))
    for field in dataclasses.fields(config):
        value, expected = getattr(config, field.name), hints[field.name]
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidInput(f"{field.name} is a whole number, got {value!r}")
        if expected in (str, date) and not isinstance(value, expected):
            raise InvalidInput(f"{field.name} is a {expected.__name__}, got {value!r}")
    if isinstance(config, SimulatedConfig) and not all(isinstance(c, Crash) for c in config.crashes):
        raise InvalidInput("crashes are Crash values")


def config_from_json(kind: ProviderKind, data: Mapping[str, Any]) -> ProviderConfig:
    return decode_dataclass(CONFIG_TYPES[kind], dict(data))


# --- the provider -------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceProviderRegistered(Event):
    name: str
    kind: ProviderKind
    config: dict[str, Any]  # the kind's configuration, as JSON


@dataclass(frozen=True)
class PriceProviderConfigUpdated(Event):
    config: dict[str, Any]


@dataclass(frozen=True)
class PriceProviderActivated(Event):
    pass


@dataclass(frozen=True)
class PriceProviderDeactivated(Event):
    pass


class PriceProvider(Aggregate):
    """One configured source of the bitcoin price.

    name: unique (case-insensitive), how operators name it; kind: bitfinex, manual or simulated;
    config: the kind's settings (BitfinexConfig, ManualConfig, SimulatedConfig); active: whether
    its quote counts in the published price.
    """

    stream_type = "price_provider"
    restorable = False  # its config is one of several types, named by its kind: replayed
    event_types = (PriceProviderRegistered, PriceProviderConfigUpdated, PriceProviderActivated,
                   PriceProviderDeactivated)

    name: str
    kind: ProviderKind
    config: ProviderConfig
    active: bool

    @classmethod
    def register(cls, id: UUID, name: str, kind: ProviderKind, config: ProviderConfig | None = None) -> PriceProvider:
        """A new provider, inactive until activated."""
        name = name.strip()
        if not _NAME.match(name):
            raise InvalidInput(f"{name!r} is not a provider name (letters, digits, spaces, . _ -; at most 64)")
        config = make_config(kind) if config is None else config
        if not isinstance(config, CONFIG_TYPES[kind]):
            raise InvalidInput(f"a {kind} provider is configured with a {CONFIG_TYPES[kind].__name__}, "
                               f"got a {type(config).__name__}")
        config = with_changes(config, {})  # validated
        provider = cls(id)
        provider._record(PriceProviderRegistered(name, kind, to_json(config)))
        return provider

    def configure(self, changes: Mapping[str, Any]) -> None:
        """Change some of the provider's settings (the others stay)."""
        config = with_changes(self.config, changes)
        if isinstance(config, ManualConfig) and self.active and config.price_cents_per_btc is None:
            raise PriceError(f"price provider {self.name} is active: its price cannot be removed")
        if config != self.config:
            self._record(PriceProviderConfigUpdated(to_json(config)))

    def set_manual_price(self, cents: int) -> None:
        if self.kind is not ProviderKind.MANUAL:
            raise PriceError(f"price provider {self.name} is a {self.kind} provider: only a manual one takes a price")
        if isinstance(cents, bool) or not isinstance(cents, int) or cents <= 0:
            raise InvalidInput(f"a manual price is a positive number of cents, got {cents!r}")
        self.configure({"price_cents_per_btc": cents})

    def activate(self) -> None:
        if self.active:
            raise PriceError(f"price provider {self.name} is already active")
        if isinstance(self.config, ManualConfig) and self.config.price_cents_per_btc is None:
            raise PriceError(f"price provider {self.name} has no price yet: set one before activating it")
        self._record(PriceProviderActivated())

    def deactivate(self) -> None:
        if not self.active:
            raise PriceError(f"price provider {self.name} is already inactive")
        self._record(PriceProviderDeactivated())

    def _apply(self, event: Event) -> None:
        match event:
            case PriceProviderRegistered(name, kind, config):
                self.name, self.kind = name, kind
                self.config = config_from_json(kind, config)
                self.active = False
            case PriceProviderConfigUpdated(config):
                self.config = config_from_json(self.kind, config)
            case PriceProviderActivated():
                self.active = True
            case PriceProviderDeactivated():
                self.active = False

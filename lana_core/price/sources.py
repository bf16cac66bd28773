"""The providers' adapters, behind one small interface: a quote in integer US cents per bitcoin
for an instant, or ``QuoteFailed``.

Bitfinex is asked over HTTP (stdlib ``urllib``, a short timeout): ``GET {base_url}/v2/ticker/
tBTCUSD`` answers a JSON array whose element 6 is the last price in dollars, read as a Decimal
and converted to cents exactly. A manual provider quotes the price an operator set; a simulated
one, its path's price for the instant.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from lana_core.errors import InvalidInput
from lana_core.price import simulated
from lana_core.price.domain import BitfinexConfig, ManualConfig, PriceProvider, SimulatedConfig, dollars_to_cents

TICKER_PATH = "/v2/ticker/tBTCUSD"
LAST_PRICE = 6  # the ticker's element holding the last trade's price


class QuoteFailed(Exception):
    """The provider gave no usable price; the message says why."""


class PriceSource(Protocol):
    def quote(self, at: datetime) -> int:
        """The price of one bitcoin in US cents at ``at`` (or now, for live sources); raises
        ``QuoteFailed``."""
        ...


class BitfinexSource:
    def __init__(self, config: BitfinexConfig) -> None:
        self.config = config

    @property
    def url(self) -> str:
        return self.config.base_url.rstrip("/") + TICKER_PATH

    def quote(self, at: datetime) -> int:
        request = urllib.request.Request(self.url, headers={"Accept": "application/json",
                                                            "User-Agent": "lana-price-feed"})
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout_seconds) as response:
                body = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            raise QuoteFailed(f"Bitfinex answered HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise QuoteFailed(f"Bitfinex is unreachable: {exc.reason}") from None
        except (TimeoutError, OSError) as exc:
            raise QuoteFailed(f"Bitfinex is unreachable: {exc or type(exc).__name__}") from None
        return parse_ticker(body)


def parse_ticker(body: bytes | str) -> int:
    """The last price of a Bitfinex ticker answer, in cents."""
    try:
        ticker = json.loads(body, parse_float=Decimal)
    except ValueError:
        raise QuoteFailed("Bitfinex answered something that is not JSON") from None
    if not isinstance(ticker, list) or len(ticker) <= LAST_PRICE:
        raise QuoteFailed(f"Bitfinex answered no ticker: {str(ticker)[:200]}")
    last = ticker[LAST_PRICE]
    try:
        return dollars_to_cents(last)
    except InvalidInput as exc:
        raise QuoteFailed(f"Bitfinex's last price is unusable: {exc}") from None


class ManualSource:
    def __init__(self, config: ManualConfig) -> None:
        self.config = config

    def quote(self, at: datetime) -> int:
        if self.config.price_cents_per_btc is None:
            raise QuoteFailed("no manual price is set")
        return self.config.price_cents_per_btc


class SimulatedSource:
    def __init__(self, config: SimulatedConfig) -> None:
        self.config = config

    def quote(self, at: datetime) -> int:
        return simulated.price_at(self.config, at)


def source_for(provider: PriceProvider) -> PriceSource:
    """The adapter quoting for this provider, per its kind and configuration."""
    config = provider.config
    if isinstance(config, BitfinexConfig):
        return BitfinexSource(config)
    if isinstance(config, ManualConfig):
        return ManualSource(config)
    return SimulatedSource(config)

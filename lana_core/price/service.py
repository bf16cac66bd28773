"""Operations on price providers and the published price.

``fetch`` (the price feed, acting as ``system:price-feed``) quotes every active provider, skips
those that fail (and says which), and publishes the median of the others' quotes: one row in the
append-only ``price.prices`` and one ``PriceUpdated`` on the outbox, in the same transaction. No
active provider, or none answering, is refused and writes nothing.

The quotes are taken inside the operation, after its permission check and before anything is
written (the transaction has only read so far, so it holds back no outbox reader), each adapter
bounded by its own timeout, all at once.

Other contexts read the price inside their own operations with ``current(uow)``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
from psycopg.types.json import Jsonb

from lana_core.access.domain import Actor
from lana_core.db import UnitOfWork
from lana_core.errors import NotFound, parse_enum
from lana_core.price.domain import (
    PriceError,
    PriceProvider,
    ProviderConfig,
    ProviderKind,
    make_config,
    median_price,
)
from lana_core.price.events import PriceUpdated
from lana_core.price.sources import QuoteFailed, source_for

if TYPE_CHECKING:
    from lana_core.app import Lana

PRICE_FEED = Actor.system("price-feed")

# Registered by ``lana setup`` when missing: Bitfinex's public ticker (active) and a manual price
# an operator can set and switch on when the feed is down (inactive).
DEFAULT_PROVIDERS: tuple[tuple[str, ProviderKind, bool], ...] = (
    ("bitfinex", ProviderKind.BITFINEX, True),
    ("manual", ProviderKind.MANUAL, False),
)


@dataclass(frozen=True)
class PublishedPrice:
    """A published price of one bitcoin: price_cents_per_btc (integer US cents); recorded_at:
    when it was fetched; sources: the providers whose quotes made the median (quotes: each one's
    quote, in cents); failures: the active providers that gave none, and why."""

    id: int
    recorded_at: datetime
    price_cents_per_btc: int
    sources: tuple[str, ...]
    quotes: dict[str, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


_PRICE_COLUMNS = "id, recorded_at, price_cents_per_btc, sources, quotes, failures"


def _published(row: tuple) -> PublishedPrice:
    id, recorded_at, price, sources, quotes, failures = row
    # jsonb keeps its own key order: give them back by name, as they were written
    return PublishedPrice(id, recorded_at, price, tuple(sources), dict(sorted(quotes.items())),
                          dict(sorted(failures.items())))


class PriceService:
    def __init__(self, app: Lana) -> None:
        self.app = app

    # --- the published price ------------------------------------------------------------

    def fetch(self, actor: Actor = PRICE_FEED) -> PublishedPrice:
        """Quote every active provider and publish the median of those that answered."""
        with self.app.operation(actor, "price/price/*", "price:price:fetch") as uow:
            at = self.app.clock.now()
            providers = uow.events.find_all(PriceProvider, "(state->>'active')::boolean")
            if not providers:
                raise PriceError("no price provider is active: activate one (lana price provider activate NAME)")
            quotes, failures = _quote_all(providers, at)
            if not quotes:
                raise PriceError("every active price provider failed: "
                                 + "; ".join(f"{name}: {why}" for name, why in failures.items()))
            price = median_price(list(quotes.values()))
            sources = tuple(sorted(quotes))
            row = uow.conn.execute(
                f"INSERT INTO price.prices (recorded_at, price_cents_per_btc, sources, quotes, failures) "
                f"VALUES (%s, %s, %s, %s, %s) RETURNING {_PRICE_COLUMNS}",
                (at, price, list(sources), Jsonb(quotes, dumps=orjson.dumps), Jsonb(failures, dumps=orjson.dumps)),
            ).fetchone()
            uow.outbox.publish(PriceUpdated(price, at, sources))
            return _published(row)

    def current(self, uow: UnitOfWork) -> tuple[int, datetime] | None:
        """The latest published price (cents per bitcoin) and when it was fetched, or None if
        none was ever published: for other contexts, inside their operations (no check of its own)."""
        row = uow.conn.execute(
            "SELECT price_cents_per_btc, recorded_at FROM price.prices ORDER BY recorded_at DESC, id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def current_price(self, actor: Actor) -> PublishedPrice | None:
        """The latest published price, with its quotes, or None if none was ever published."""
        with self.app.operation(actor, "price/price/*", "price:price:read") as uow:
            row = uow.conn.execute(
                f"SELECT {_PRICE_COLUMNS} FROM price.prices ORDER BY recorded_at DESC, id DESC LIMIT 1"
            ).fetchone()
            return None if row is None else _published(row)

    def history(self, actor: Actor, limit: int = 100) -> list[PublishedPrice]:
        """The published prices, newest first."""
        with self.app.operation(actor, "price/price/*", "price:price:list") as uow:
            rows = uow.conn.execute(
                f"SELECT {_PRICE_COLUMNS} FROM price.prices ORDER BY recorded_at DESC, id DESC LIMIT %s",
                (max(1, int(limit)),),
            ).fetchall()
            return [_published(r) for r in rows]

    # --- providers ----------------------------------------------------------------------

    def register_provider(self, actor: Actor, name: str, kind: ProviderKind | str,
                          config: ProviderConfig | dict[str, Any] | None = None, *,
                          active: bool = False) -> PriceProvider:
        """A new provider; ``config``: the kind's configuration, or some of its settings (the
        others take their defaults); ``active``: activate it at once."""
        with self.app.operation(actor, "price/provider/*", "price:provider:create") as uow:
            return self._register(uow, name, kind, config, active=active)

    def _register(self, uow: UnitOfWork, name: str, kind: ProviderKind | str,
                  config: ProviderConfig | dict[str, Any] | None, *, active: bool) -> PriceProvider:
        kind = parse_enum(ProviderKind, kind, "provider kind")
        if config is None or isinstance(config, dict):
            config = make_config(kind, config)
        provider = PriceProvider.register(self.app.db.ids(), name, kind, config)
        if active:
            provider.activate()
        uow.events.save(provider)
        return provider

    def ensure_default_providers(self, uow: UnitOfWork) -> list[PriceProvider]:
        """Register the default providers that are missing (by name); returns those registered."""
        created = []
        for name, kind, active in DEFAULT_PROVIDERS:
            if self._find(uow, name) is None:
                created.append(self._register(uow, name, kind, None, active=active))
        return created

    def providers(self, actor: Actor) -> list[PriceProvider]:
        with self.app.operation(actor, "price/provider/*", "price:provider:list") as uow:
            return uow.events.find_all(PriceProvider)

    def provider(self, actor: Actor, ref: str | UUID) -> PriceProvider:
        """One provider, by name (any case) or id."""
        with self.app.operation(actor, f"price/provider/{ref}", "price:provider:read") as uow:
            return self._provider(uow, ref)

    def configure_provider(self, actor: Actor, ref: str | UUID, changes: dict[str, Any]) -> PriceProvider:
        """Change some of a provider's settings (the others stay)."""
        with self.app.operation(actor, f"price/provider/{ref}", "price:provider:update") as uow:
            return self._change(uow, ref, lambda p: p.configure(changes))

    def set_manual_price(self, actor: Actor, ref: str | UUID, cents: int) -> PriceProvider:
        """The price a manual provider quotes, in cents per bitcoin."""
        with self.app.operation(actor, f"price/provider/{ref}", "price:provider:update") as uow:
            return self._change(uow, ref, lambda p: p.set_manual_price(cents))

    def activate_provider(self, actor: Actor, ref: str | UUID) -> PriceProvider:
        with self.app.operation(actor, f"price/provider/{ref}", "price:provider:activate") as uow:
            return self._change(uow, ref, lambda p: p.activate())

    def deactivate_provider(self, actor: Actor, ref: str | UUID) -> PriceProvider:
        with self.app.operation(actor, f"price/provider/{ref}", "price:provider:deactivate") as uow:
            return self._change(uow, ref, lambda p: p.deactivate())

    def _change(self, uow: UnitOfWork, ref: str | UUID, change) -> PriceProvider:  # type: ignore[no-untyped-def]
        provider = self._provider(uow, ref)
        change(provider)
        uow.events.save(provider)
        return provider

    def _find(self, uow: UnitOfWork, ref: str | UUID) -> PriceProvider | None:
        if isinstance(ref, UUID):
            return uow.events.find(PriceProvider, ref)
        return uow.events.find_one(PriceProvider, "lower(state->>'name') = lower(%s)", (ref.strip(),))

    def _provider(self, uow: UnitOfWork, ref: str | UUID) -> PriceProvider:
        found = self._find(uow, ref)
        if found is None:
            raise NotFound(f"there is no price provider {ref}")
        return found


def _quote_all(providers: list[PriceProvider], at: datetime) -> tuple[dict[str, int], dict[str, str]]:
    """Each provider's quote (name -> cents), and the failures (name -> why), by name."""

    def quote(provider: PriceProvider) -> int | str:
        try:
            return source_for(provider).quote(at)
        except QuoteFailed as exc:
            return str(exc) or "no quote"
        except Exception as exc:  # an adapter's bug must not stop the others' quotes
            return f"{type(exc).__name__}: {exc}"

    if len(providers) == 1:
        answers = [quote(providers[0])]
    else:
        with ThreadPoolExecutor(max_workers=min(len(providers), 8), thread_name_prefix="price-quote") as pool:
            answers = list(pool.map(quote, providers))
    quotes: dict[str, int] = {}
    failures: dict[str, str] = {}
    for provider, answer in sorted(zip(providers, answers), key=lambda pa: pa[0].name):
        if isinstance(answer, int):
            quotes[provider.name] = answer
        else:
            failures[provider.name] = answer
    return quotes, failures

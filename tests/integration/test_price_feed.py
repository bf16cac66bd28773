"""The price feed on real PostgreSQL: providers, the published median (one row, one PriceUpdated
in the same transaction), failing providers skipped, refusals that write nothing, permissions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import psycopg
import pytest

from lana_core.access import audit
from lana_core.access.domain import PermissionDenied
from lana_core.errors import InvalidInput, NotFound
from lana_core.eventsourcing import Message, run_consumer
from lana_core.eventsourcing.store import DuplicateEntity
from lana_core.price import simulated
from lana_core.price.domain import BitfinexConfig, Crash, PriceError, ProviderKind, SimulatedConfig
from lana_core.price.events import PriceUpdated
from lana_core.price.service import PRICE_FEED
from lana_core.price.testing import FakeBitfinex
from lana_core.setup import setup
from tests.integration.conftest import ROOT, snapshot


@pytest.fixture
def fake_bitfinex():
    with FakeBitfinex(last_price="67890.5") as fake:
        yield fake


@pytest.fixture
def feed(bank, root, fake_bitfinex):
    """The default providers, Bitfinex pointed at the fake server, the manual one at $65,000 and active."""
    bank.prices.configure_provider(root, "bitfinex", {"base_url": fake_bitfinex.url, "timeout_seconds": 2})
    bank.prices.set_manual_price(root, "manual", 65_000_00)
    bank.prices.activate_provider(root, "manual")
    return bank


def prices_rows(app) -> list[tuple]:
    with app.db.unit_of_work() as uow:
        return uow.conn.execute(
            "SELECT price_cents_per_btc, sources, quotes, failures, recorded_at, xact_id FROM price.prices ORDER BY id"
        ).fetchall()


def outbox(app, message_type: str = "PriceUpdated") -> list[tuple]:
    with app.db.unit_of_work() as uow:
        return uow.conn.execute(
            "SELECT payload, xact_id FROM core.outbox WHERE message_type = %s ORDER BY position", (message_type,)
        ).fetchall()


def price_trace(app) -> dict[str, object]:
    """Everything a fetch can write, beside the audit log."""
    return {**snapshot(app), "prices": prices_rows(app)}


def audit_rows(app, **kwargs):
    with app.db.unit_of_work() as uow:
        return audit.entries(uow.conn, **kwargs)


# --- setup --------------------------------------------------------------------------------


def test_setup_registers_bitfinex_active_and_a_manual_price_inactive_once(bank, root):
    providers = {p.name: p for p in bank.prices.providers(root)}
    assert {n: (p.kind, p.active) for n, p in providers.items()} == {
        "bitfinex": (ProviderKind.BITFINEX, True), "manual": (ProviderKind.MANUAL, False)}
    assert providers["bitfinex"].config == BitfinexConfig("https://api-pub.bitfinex.com", 5)
    assert providers["manual"].config.price_cents_per_btc is None

    bank.prices.deactivate_provider(root, "bitfinex")  # an operator's choice survives setup
    before = snapshot(bank)
    setup(bank, ROOT)
    assert snapshot(bank) == before
    assert not bank.prices.provider(root, "Bitfinex").active


# --- fetching -----------------------------------------------------------------------------


def test_a_fetch_publishes_the_median_of_bitfinex_and_the_manual_price_once(feed, root, fake_bitfinex, clock):
    assert feed.prices.current_price(root) is None
    with feed.db.unit_of_work() as uow:
        assert feed.prices.current(uow) is None

    published = feed.prices.fetch()

    # two quotes: the upper middle one is Bitfinex's $67,890.50
    assert (published.price_cents_per_btc, published.sources, published.quotes, published.failures) == (
        67_890_50, ("bitfinex", "manual"), {"bitfinex": 67_890_50, "manual": 65_000_00}, {})
    assert published.recorded_at == clock.now()
    assert fake_bitfinex.requests == ["/v2/ticker/tBTCUSD"]
    [row] = prices_rows(feed)
    assert row[:5] == (67_890_50, ["bitfinex", "manual"], {"bitfinex": 67_890_50, "manual": 65_000_00}, {},
                       clock.now())
    [(payload, message_xact)] = outbox(feed)
    assert payload == {"price_cents_per_btc": 67_890_50, "recorded_at": clock.now().isoformat(),
                       "sources": ["bitfinex", "manual"]}
    assert message_xact == row[5]  # written in the same transaction

    with feed.db.unit_of_work() as uow:
        assert feed.prices.current(uow) == (67_890_50, clock.now())
    assert feed.prices.current_price(root) == published
    fetched = [e for e in audit_rows(feed, subject="system:price-feed")]
    assert [(e.action, e.outcome) for e in fetched] == [("price:price:fetch", "allowed")]


def test_the_price_updated_message_reaches_a_consumer_as_the_contract_says(feed):
    published = feed.prices.fetch()

    @dataclass
    class CreditLike:
        name: str = "test.price-listener"
        handles: tuple = (PriceUpdated,)
        seen: list = field(default_factory=list)

        def handle(self, uow, message: Message) -> None:  # type: ignore[no-untyped-def]
            self.seen.append(message.event)

    listener = CreditLike()
    run = run_consumer(feed.db, listener)
    assert (run.processed, run.failed) == (1, None)
    assert listener.seen == [PriceUpdated(published.price_cents_per_btc, published.recorded_at, published.sources)]


def test_three_providers_publish_the_middle_quote_and_each_fetch_publishes_anew(feed, root, fake_bitfinex, clock):
    feed.prices.register_provider(root, "sim", ProviderKind.SIMULATED,
                                  {"seed": 1, "start_date": date(2026, 3, 1), "start_price_cents": 66_000_00},
                                  active=True)
    first = feed.prices.fetch()
    assert first.quotes["sim"] == simulated.price_at(feed.prices.provider(root, "sim").config, clock.now())
    assert first.price_cents_per_btc == sorted(first.quotes.values())[1]
    assert first.sources == ("bitfinex", "manual", "sim")

    fake_bitfinex.last_price = "70000"
    clock.advance(timedelta(minutes=1))
    second = feed.prices.fetch()
    assert second.quotes["bitfinex"] == 70_000_00 and second.recorded_at == clock.now()
    assert [p.recorded_at for p in feed.prices.history(root, 10)] == [second.recorded_at, first.recorded_at]
    assert [p.price_cents_per_btc for p in feed.prices.history(root, 1)] == [second.price_cents_per_btc]
    assert len(prices_rows(feed)) == len(outbox(feed)) == 2


def test_a_failing_provider_is_skipped_and_said_to_have_failed(feed, fake_bitfinex):
    fake_bitfinex.fail_with(503)
    published = feed.prices.fetch()
    assert (published.price_cents_per_btc, published.sources) == (65_000_00, ("manual",))
    assert published.failures == {"bitfinex": "Bitfinex answered HTTP 503 Service Unavailable"}
    [row] = prices_rows(feed)
    assert (row[1], row[3]) == (["manual"], {"bitfinex": "Bitfinex answered HTTP 503 Service Unavailable"})
    assert [p["sources"] for p, _ in outbox(feed)] == [["manual"]]


def test_an_unreachable_or_garbled_bitfinex_is_skipped_too(feed, root, fake_bitfinex):
    fake_bitfinex.answer(b"<html>maintenance</html>")
    assert feed.prices.fetch().failures == {"bitfinex": "Bitfinex answered something that is not JSON"}
    fake_bitfinex.stop()
    assert feed.prices.fetch().failures["bitfinex"].startswith("Bitfinex is unreachable")
    assert len(prices_rows(feed)) == 2


def test_when_every_active_provider_fails_the_fetch_is_refused_and_writes_nothing(feed, root, fake_bitfinex):
    feed.prices.deactivate_provider(root, "manual")
    fake_bitfinex.fail_with(500)
    before = price_trace(feed)
    with pytest.raises(PriceError, match="every active price provider failed: bitfinex: Bitfinex answered HTTP 500"):
        feed.prices.fetch()
    assert price_trace(feed) == before
    assert prices_rows(feed) == [] and outbox(feed) == []
    [refusal] = audit_rows(feed, subject="system:price-feed")
    assert (refusal.action, refusal.outcome) == ("price:price:fetch", "refused")


def test_with_no_active_provider_the_fetch_is_refused_and_writes_nothing(bank, root):
    bank.prices.deactivate_provider(root, "bitfinex")
    before = price_trace(bank)
    with pytest.raises(PriceError, match="no price provider is active"):
        bank.prices.fetch()
    assert price_trace(bank) == before
    with bank.db.unit_of_work() as uow:
        assert bank.prices.current(uow) is None


def test_published_prices_cannot_be_changed_or_deleted(feed):
    feed.prices.fetch()
    for statement in ("UPDATE price.prices SET price_cents_per_btc = 1", "DELETE FROM price.prices",
                      "TRUNCATE price.prices"):
        with feed.db.unit_of_work() as uow:
            with pytest.raises(psycopg.Error, match="price.prices is append-only"):
                uow.conn.execute(statement)
    assert len(prices_rows(feed)) == 1


def test_a_simulated_provider_makes_the_published_price_follow_its_crash(bank, root, clock):
    bank.prices.deactivate_provider(root, "bitfinex")
    crash = Crash(date(2026, 3, 10), -4500, 3)
    bank.prices.register_provider(root, "sim", ProviderKind.SIMULATED,
                                  SimulatedConfig(seed=11, start_date=date(2026, 1, 1), crashes=(crash,)), active=True)
    clock.set(clock.now().replace(day=9, hour=12))
    before = bank.prices.fetch().price_cents_per_btc
    clock.advance(timedelta(days=3))
    after = bank.prices.fetch().price_cents_per_btc
    assert after == before * 55 // 100
    assert [p["price_cents_per_btc"] for p, _ in outbox(bank)] == [before, after]


# --- providers ----------------------------------------------------------------------------


def test_provider_names_are_unique_whatever_their_case(bank, root):
    before = snapshot(bank)
    with pytest.raises(DuplicateEntity, match="bitfinex is already taken"):
        bank.prices.register_provider(root, "Bitfinex", ProviderKind.BITFINEX)
    with pytest.raises(InvalidInput, match="unknown provider kind 'coinbase'"):
        bank.prices.register_provider(root, "cb", "coinbase")
    with pytest.raises(InvalidInput, match="a manual provider has no setting base_url"):
        bank.prices.register_provider(root, "m2", ProviderKind.MANUAL, {"base_url": "http://x"})
    with pytest.raises(NotFound, match="there is no price provider kraken"):
        bank.prices.activate_provider(root, "kraken")
    assert snapshot(bank) == before


def test_a_manual_provider_cannot_be_activated_before_it_has_a_price(bank, root):
    before = snapshot(bank)
    with pytest.raises(PriceError, match="manual has no price yet"):
        bank.prices.activate_provider(root, "manual")
    with pytest.raises(PriceError, match="only a manual one takes a price"):
        bank.prices.set_manual_price(root, "bitfinex", 60_000_00)
    assert snapshot(bank) == before
    provider = bank.prices.set_manual_price(root, "MANUAL", 60_000_00)
    assert bank.prices.activate_provider(root, provider.id).active


def test_an_accountant_can_neither_set_prices_nor_read_them(bank, root):
    bank.access.create_user(root, "books@bank.example", roles=["accountant"])
    books = bank.actor("books@bank.example")
    before = snapshot(bank)
    for attempt in (lambda: bank.prices.set_manual_price(books, "manual", 1_00),
                    lambda: bank.prices.activate_provider(books, "manual"),
                    lambda: bank.prices.register_provider(books, "mine", ProviderKind.MANUAL),
                    lambda: bank.prices.configure_provider(books, "bitfinex", {"timeout_seconds": 1}),
                    lambda: bank.prices.fetch(books),
                    lambda: bank.prices.current_price(books)):
        with pytest.raises(PermissionDenied, match="books@bank.example may not price:"):
            attempt()
    assert snapshot(bank) == before
    denied = audit_rows(bank, subject=books.subject, outcome="denied")
    assert {e.action for e in denied} == {"price:provider:update", "price:provider:activate",
                                          "price:provider:create", "price:price:fetch", "price:price:read"}


def test_a_price_viewer_reads_prices_and_providers_and_a_price_writer_sets_them(feed, root):
    feed.access.create_role(root, "price-desk", ["price_viewer"])
    feed.access.create_user(root, "desk@bank.example", roles=["price-desk"])
    desk = feed.actor("desk@bank.example")
    published = feed.prices.fetch()
    assert feed.prices.current_price(desk) == published
    assert feed.prices.history(desk, 5) == [published]
    assert [p.name for p in feed.prices.providers(desk)] == ["bitfinex", "manual"]
    with pytest.raises(PermissionDenied, match="may not price:provider:update"):
        feed.prices.set_manual_price(desk, "manual", 1_00)
    with pytest.raises(PermissionDenied, match="may not price:price:fetch"):
        feed.prices.fetch(desk)

    feed.access.add_permission_set(root, "price-desk", "price_writer")
    assert feed.prices.set_manual_price(desk, "manual", 66_000_00).config.price_cents_per_btc == 66_000_00
    assert feed.prices.fetch(desk).quotes["manual"] == 66_000_00
    assert [(e.subject, e.outcome) for e in audit_rows(feed, subject=desk.subject, outcome="allowed")
            if e.action == "price:price:fetch"] == [(desk.subject, "allowed")]
    assert PRICE_FEED.subject == "system:price-feed"

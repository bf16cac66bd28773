"""``lana price``: the providers ``lana setup`` registers, a fetch against a local Bitfinex
stand-in and a manual price, a failing provider skipped, refusals in one line."""

from __future__ import annotations

from lana_core.price.testing import FakeBitfinex


def test_an_operator_points_bitfinex_somewhere_sets_a_manual_price_and_publishes_the_median(root):
    assert root.refused("price", "current") == "no bitcoin price has been published yet: lana price fetch"
    providers = root.json("price", "providers")
    assert [(p["name"], p["kind"], p["active"]) for p in providers] == [
        ("bitfinex", "bitfinex", True), ("manual", "manual", False)]

    with FakeBitfinex(last_price="67890.5") as fake:
        configured = root.json("price", "provider", "configure", "bitfinex", "--base-url", fake.url, "--timeout", "2")
        assert configured["config"] == {"base_url": fake.url, "timeout_seconds": 2}
        assert root.refused("price", "provider", "activate", "manual") == (
            "price provider manual has no price yet: set one before activating it")
        manual = root.json("price", "provider", "set-price", "manual", "65,000")
        assert (manual["config"], manual["active"]) == ({"price_cents_per_btc": 6_500_000}, False)
        assert root.json("price", "provider", "activate", "manual")["active"] is True

        published = root.json("price", "fetch")
        assert (published["price_cents_per_btc"], published["unit"], published["sources"], published["failures"]) == (
            6_789_050, "cents", ["bitfinex", "manual"], {})
        assert root.json("price", "current") == published

        fake.fail_with(503)
        skipped = root.run("price", "fetch")
        assert "skipped bitfinex: Bitfinex answered HTTP 503 Service Unavailable" in skipped.stderr
        assert "65,000.00" in skipped.stdout and "failed: bitfinex" in skipped.stdout

    history = root.json("price", "history", "--limit", "5")
    assert [(h["price_cents_per_btc"], h["sources"]) for h in history] == [
        (6_500_000, ["manual"]), (6_789_050, ["bitfinex", "manual"])]

    sim = root.json("price", "provider", "register", "sim", "--kind", "simulated", "--seed", "7",
                    "--start-date", "2026-01-01", "--start-price", "90000", "--crash", "2026-03-10:-45%:3")
    assert (sim["active"], sim["config"]["crashes"]) == (False, [{"start": "2026-03-10", "change_bps": -4500,
                                                                  "days": 3}])
    table = root.run("price", "providers").stdout
    assert "2026-03-10 -45% over 3 days" in table and "no" in table

    root.json("access", "user", "create", "books@bank.example", "--role", "accountant")
    books = root.as_("books@bank.example")
    assert books.refused("price", "provider", "set-price", "manual", "1") == (
        "books@bank.example may not price:provider:update (price/provider/manual)")
    assert root.refused("price", "provider", "set-price", "manual", "1.005") == (
        "1.005 USD has more than 2 decimal places")

    root.json("price", "provider", "deactivate", "bitfinex")
    root.json("price", "provider", "deactivate", "manual")
    assert root.refused("price", "fetch") == (
        "no price provider is active: activate one (lana price provider activate NAME)")
    assert len(root.json("price", "history")) == 2

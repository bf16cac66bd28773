"""``lana price``: the bitcoin price and its providers (prices typed in dollars, e.g. 67890.50;
JSON gives integer cents per bitcoin)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from lana_core.cli.common import Column, id_or_name, parse_usd, say, show_list, show_one, usd, when
from lana_core.cli.context import AppContext
from lana_core.cli.options import DATE, format_option
from lana_core.errors import NotFound
from lana_core.price.domain import Crash, ProviderKind, make_config, parse_percent

UNIT = "cents"


@click.group()
def price() -> None:
    """The bitcoin price: current, history, providers, fetching."""


# --- the published price ------------------------------------------------------------------


def _price_json(p) -> dict:  # type: ignore[no-untyped-def]
    return {**asdict(p), "unit": UNIT}


def _price_fields(p):  # type: ignore[no-untyped-def]
    return [
        ("price (USD per BTC)", usd(p.price_cents_per_btc)),
        ("recorded at", when(p.recorded_at)),
        ("sources", ", ".join(p.sources)),
        *((f"  {name}", usd(cents)) for name, cents in p.quotes.items()),
        *((f"failed: {name}", why) for name, why in p.failures.items()),
    ]


def _show_price(fmt: str, p) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, p, "Bitcoin price", _price_fields, as_json=_price_json)


@price.command("current")
@format_option
@click.pass_obj
def current(app: AppContext, fmt: str) -> None:
    """The latest published price of one bitcoin, and the quotes it was made of."""
    found = app.lana().prices.current_price(app.actor())
    if found is None:
        raise NotFound("no bitcoin price has been published yet: lana price fetch")
    _show_price(fmt, found)


@price.command("history")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@format_option
@click.pass_obj
def history(app: AppContext, limit: int, fmt: str) -> None:
    """Published prices, newest first."""
    prices = app.lana().prices.history(app.actor(), limit)
    show_list(fmt, prices, "Bitcoin prices (USD per BTC)", [
        Column("Recorded", lambda p: when(p.recorded_at)),
        Column("Price", lambda p: usd(p.price_cents_per_btc), numeric=True),
        Column("Sources", lambda p: ", ".join(p.sources)),
        Column("Failed", lambda p: ", ".join(p.failures)),
    ], as_json=_price_json, empty="no price published yet")


@price.command("fetch")
@format_option
@click.pass_obj
def fetch(app: AppContext, fmt: str) -> None:
    """Quote every active provider now and publish the median (failing providers are skipped)."""
    published = app.lana().prices.fetch(app.actor())
    for name, why in published.failures.items():
        say(f"skipped {name}: {why}")
    _show_price(fmt, published)


# --- providers ----------------------------------------------------------------------------

PROVIDER_COLUMNS = [
    Column("Provider", lambda p: p.name),
    Column("Kind", lambda p: p.kind),
    Column("Active", lambda p: "yes" if p.active else "no"),
    Column("Settings", lambda p: p.config.describe()),
    Column("Id", lambda p: p.id),
]


def _show_provider(fmt: str, p) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, p, f"Price provider {p.name}", lambda p: [
        ("id", p.id), ("name", p.name), ("kind", p.kind), ("active", "yes" if p.active else "no"),
        ("settings", p.config.describe()),
    ])


@price.command("providers")
@format_option
@click.pass_obj
def providers(app: AppContext, fmt: str) -> None:
    """Every price provider; the published price is the median of the active ones' quotes."""
    show_list(fmt, app.lana().prices.providers(app.actor()), "Price providers", PROVIDER_COLUMNS)


@price.group()
def provider() -> None:
    """Register, configure, activate and deactivate price providers."""


def _settings_options(command):  # type: ignore[no-untyped-def]
    """The settings of every kind, each for the kind it names."""
    options = [
        click.option("--base-url", help="bitfinex: the API's address (default https://api-pub.bitfinex.com)."),
        click.option("--timeout", type=click.IntRange(1, 60), help="bitfinex: seconds a request may take."),
        click.option("--price", "price_usd", metavar="DOLLARS", help="manual: the price of one bitcoin."),
        click.option("--seed", type=int, help="simulated: picks the path."),
        click.option("--start-date", type=DATE, help="simulated: the path's first day."),
        click.option("--start-price", metavar="DOLLARS", help="simulated: the price on the first day."),
        click.option("--volatility", metavar="PERCENT", help="simulated: the largest daily move (e.g. 3%)."),
        click.option("--calm-volatility", metavar="PERCENT", help="simulated: ... in calm stretches."),
        click.option("--floor", metavar="DOLLARS", help="simulated: the price never goes below it."),
        click.option("--crash", "crashes", multiple=True, metavar="DATE:CHANGE[:DAYS]",
                     help="simulated: a move over some days, e.g. 2026-03-10:-45%:3 (repeat for each)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _settings(options: dict[str, Any]) -> dict[str, Any]:
    """The settings given on the command line, as the providers' configurations name them."""
    given: dict[str, Any] = {}
    converters = {
        "base_url": ("base_url", str),
        "timeout": ("timeout_seconds", int),
        "price_usd": ("price_cents_per_btc", parse_usd),
        "seed": ("seed", int),
        "start_date": ("start_date", lambda d: d),
        "start_price": ("start_price_cents", parse_usd),
        "volatility": ("volatility_bps", parse_percent),
        "calm_volatility": ("calm_volatility_bps", parse_percent),
        "floor": ("floor_cents", parse_usd),
    }
    for option, (setting, convert) in converters.items():
        if options.get(option) is not None:
            given[setting] = convert(options[option])
    if options.get("crashes"):
        given["crashes"] = tuple(Crash.parse(text) for text in options["crashes"])
    return given


@provider.command("register")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in ProviderKind]), required=True)
@click.option("--active/--inactive", default=False, show_default=True, help="Count its quotes at once.")
@_settings_options
@format_option
@click.pass_obj
def register(app: AppContext, name: str, kind: str, active: bool, fmt: str, **options: Any) -> None:
    """Register a price provider (inactive unless --active)."""
    config = make_config(ProviderKind(kind), _settings(options))
    _show_provider(fmt, app.lana().prices.register_provider(app.actor(), name, kind, config, active=active))


@provider.command("configure")
@click.argument("name")
@_settings_options
@format_option
@click.pass_obj
def configure(app: AppContext, name: str, fmt: str, **options: Any) -> None:
    """Change some settings of a provider (the others stay)."""
    _show_provider(fmt, app.lana().prices.configure_provider(app.actor(), id_or_name(name), _settings(options)))


@provider.command("set-price")
@click.argument("name")
@click.argument("amount", metavar="DOLLARS")
@format_option
@click.pass_obj
def set_price(app: AppContext, name: str, amount: str, fmt: str) -> None:
    """Set the price a manual provider quotes (dollars per bitcoin, e.g. 67890.50)."""
    _show_provider(fmt, app.lana().prices.set_manual_price(app.actor(), id_or_name(name), parse_usd(amount)))


@provider.command("activate")
@click.argument("name")
@format_option
@click.pass_obj
def activate(app: AppContext, name: str, fmt: str) -> None:
    """Count a provider's quotes in the published price."""
    _show_provider(fmt, app.lana().prices.activate_provider(app.actor(), id_or_name(name)))


@provider.command("deactivate")
@click.argument("name")
@format_option
@click.pass_obj
def deactivate(app: AppContext, name: str, fmt: str) -> None:
    """Stop counting a provider's quotes."""
    _show_provider(fmt, app.lana().prices.deactivate_provider(app.actor(), id_or_name(name)))


@provider.command("show")
@click.argument("name")
@format_option
@click.pass_obj
def show(app: AppContext, name: str, fmt: str) -> None:
    """One provider (by name or id) and its settings."""
    _show_provider(fmt, app.lana().prices.provider(app.actor(), id_or_name(name)))

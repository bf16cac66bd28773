"""``lana custody``: custodians and the wallets holding collateral."""

from __future__ import annotations

import click
from click.core import ParameterSource

from lana_core.cli.common import Column, entity_json, id_or_name, parse_id, show_list, show_one, when
from lana_core.cli.context import AppContext
from lana_core.cli.options import format_option
from lana_core.custody.domain import CustodianKind
from lana_core.money import Currency, Money, format_minor

API_KEY_VARIABLE = "LANA_CUSTODIAN_API_KEY"
WEBHOOK_SECRET_VARIABLE = "LANA_CUSTODIAN_WEBHOOK_SECRET"


@click.group()
def custody() -> None:
    """Custodians and wallets."""


@custody.command("generate-key")
def generate_key() -> None:
    """Print a new key for LANA_ENCRYPTION_KEY (custodian secrets are encrypted with it)."""
    from lana_core.custody.encryption import generate_key as new_key

    click.echo(new_key())


def secret_options(command):  # type: ignore[no-untyped-def]
    """--api-key and --webhook-secret, or their environment variables (out of shell history)."""
    for option in reversed([
        click.option("--api-key", envvar=API_KEY_VARIABLE, show_envvar=True,
                     help="The custodian's API key (stored encrypted)."),
        click.option("--webhook-secret", envvar=WEBHOOK_SECRET_VARIABLE, show_envvar=True,
                     help="The secret the custodian signs its webhooks with (stored encrypted)."),
    ]):
        command = option(command)
    return command


def _btc(sats: int | None) -> str:
    return "" if sats is None else format_minor(sats, Currency.BTC)


# --- custodians ---------------------------------------------------------------------------

CUSTODIAN_COLUMNS = [
    Column("Name", lambda c: c.name),
    Column("Kind", lambda c: c.kind),
    Column("Base URL", lambda c: c.base_url),
    Column("Active", lambda c: "yes" if c.active else "no"),
    Column("Id", lambda c: c.id),
]


def _custodian_json(c):  # type: ignore[no-untyped-def]
    return entity_json(c, webhook_path=f"/webhooks/custodian/{c.id}")


def _show_custodian(fmt: str, c) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, c, f"Custodian {c.name}", lambda c: [
        ("id", c.id), ("name", c.name), ("kind", c.kind), ("base URL", c.base_url),
        ("active", "yes" if c.active else "no"),
        ("API key", "set (encrypted)" if c.has_api_key else "none"),
        ("webhook secret", "set (encrypted)" if c.has_webhook_secret else "none"),
        ("secrets version", c.secrets_version),
        ("webhook path", f"/webhooks/custodian/{c.id}" if c.kind.remote else "none (simulated)"),
    ], as_json=_custodian_json)


@custody.group()
def custodian() -> None:
    """Custodians: who holds the collateral (BitGo, Komainu, or simulated)."""


@custodian.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in CustodianKind]), required=True,
              help="Which API the custodian speaks (simulated: no HTTP, for tests and simulations).")
@click.option("--base-url", help="The custodian's API, e.g. https://app.bitgo.com (not for simulated).")
@secret_options
@format_option
@click.pass_obj
@click.pass_context
def custodian_create(ctx: click.Context, app: AppContext, name: str, kind: str, base_url: str | None,
                     api_key: str | None, webhook_secret: str | None, fmt: str) -> None:
    """Add a custodian (active at once). Secrets are better given in the environment."""
    if kind == CustodianKind.SIMULATED:
        # Secrets left in the environment for another custodian do not belong to a simulated one.
        if ctx.get_parameter_source("api_key") is ParameterSource.ENVIRONMENT:
            api_key = None
        if ctx.get_parameter_source("webhook_secret") is ParameterSource.ENVIRONMENT:
            webhook_secret = None
    created = app.lana().custody.create_custodian(app.actor(), name, CustodianKind(kind), base_url,
                                                  api_key=api_key, webhook_secret=webhook_secret)
    _show_custodian(fmt, created)


@custodian.command("list")
@format_option
@click.pass_obj
def custodian_list(app: AppContext, fmt: str) -> None:
    """Custodians, oldest first (never their secrets)."""
    show_list(fmt, app.lana().custody.custodians(app.actor()), "Custodians", CUSTODIAN_COLUMNS,
              as_json=_custodian_json)


@custodian.command("show")
@click.argument("ref", metavar="ID_OR_NAME")
@format_option
@click.pass_obj
def custodian_show(app: AppContext, ref: str, fmt: str) -> None:
    """One custodian, by id or name."""
    _show_custodian(fmt, app.lana().custody.get_custodian(app.actor(), id_or_name(ref)))


@custodian.command("activate")
@click.argument("ref", metavar="ID_OR_NAME")
@format_option
@click.pass_obj
def custodian_activate(app: AppContext, ref: str, fmt: str) -> None:
    """Let new wallets be opened at the custodian."""
    _show_custodian(fmt, app.lana().custody.activate(app.actor(), id_or_name(ref)))


@custodian.command("deactivate")
@click.argument("ref", metavar="ID_OR_NAME")
@format_option
@click.pass_obj
def custodian_deactivate(app: AppContext, ref: str, fmt: str) -> None:
    """No new wallets at the custodian (its wallets' balances keep being tracked)."""
    _show_custodian(fmt, app.lana().custody.deactivate(app.actor(), id_or_name(ref)))


@custodian.command("rotate-secrets")
@click.argument("ref", metavar="ID_OR_NAME")
@secret_options
@format_option
@click.pass_obj
def custodian_rotate(app: AppContext, ref: str, api_key: str | None, webhook_secret: str | None, fmt: str) -> None:
    """Replace the API key, the webhook secret, or both (the other is kept)."""
    rotated = app.lana().custody.rotate_secrets(app.actor(), id_or_name(ref), api_key=api_key,
                                                webhook_secret=webhook_secret)
    _show_custodian(fmt, rotated)


@custodian.command("webhooks")
@click.argument("ref", metavar="[ID_OR_NAME]", required=False)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@format_option
@click.pass_obj
def custodian_webhooks(app: AppContext, ref: str | None, limit: int, fmt: str) -> None:
    """Custodians' webhook deliveries, newest first, and what Lana did with each."""
    rows = app.lana().custody.webhooks(app.actor(), None if ref is None else id_or_name(ref), limit=limit)
    show_list(fmt, rows, "Custodian webhooks", [
        Column("#", lambda r: r["id"], numeric=True),
        Column("Received", lambda r: when(r["received_at"])),
        Column("Outcome", lambda r: r["outcome"]),
        Column("Reason", lambda r: r["reason"]),
        Column("Wallet", lambda r: r["wallet_id"] or r["external_wallet_id"]),
        Column("Balance (BTC)", lambda r: _btc(r["balance_sats"]), numeric=True),
    ], as_json=lambda r: {**r, "unit": "sats"})


# --- wallets ------------------------------------------------------------------------------

WALLET_COLUMNS = [
    Column("Label", lambda w: w.label),
    Column("Balance (BTC)", lambda w: _btc(w.balance_sats), numeric=True),
    Column("Owner", lambda w: w.owner_id),
    Column("Id", lambda w: w.id),
]


def _wallet_json(w):  # type: ignore[no-untyped-def]
    return entity_json(w, unit="sats")


def _show_wallet(fmt: str, w) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, w, f"Wallet {w.label}", lambda w: [
        ("id", w.id), ("label", w.label), ("custodian", w.custodian_id), ("owner", w.owner_id),
        ("custodian's id", w.external_wallet_id), ("address", w.address),
        ("confirmed balance", f"{_btc(w.balance_sats)} BTC"), ("as of", when(w.balance_changed_at)),
    ], as_json=_wallet_json)


@custody.group()
def wallet() -> None:
    """Wallets: where a facility's bitcoin collateral is held."""


@wallet.command("create")
@click.option("--custodian", "custodian_ref", required=True, help="The custodian (id or name); must be active.")
@click.option("--owner", required=True, help="What the wallet is for (a credit facility's id).")
@click.option("--label", help="Default: CF <owner>.")
@format_option
@click.pass_obj
def wallet_create(app: AppContext, custodian_ref: str, owner: str, label: str | None, fmt: str) -> None:
    """Open a wallet at a custodian (credit facilities open theirs themselves)."""
    opened = app.lana().custody.open_wallet(app.actor(), id_or_name(custodian_ref), parse_id(owner, "owner id"),
                                            label)
    _show_wallet(fmt, opened)


@wallet.command("list")
@click.option("--owner", help="Only the wallet of this owner (a credit facility's id).")
@click.option("--custodian", "custodian_ref", help="Only the wallets at this custodian (id or name).")
@format_option
@click.pass_obj
def wallet_list(app: AppContext, owner: str | None, custodian_ref: str | None, fmt: str) -> None:
    """Wallets, oldest first, with their confirmed balance."""
    found = app.lana().custody.wallets(
        app.actor(), owner_id=None if owner is None else parse_id(owner, "owner id"),
        custodian_ref=None if custodian_ref is None else id_or_name(custodian_ref),
    )
    show_list(fmt, found, "Wallets", WALLET_COLUMNS, as_json=_wallet_json)


@wallet.command("show")
@click.argument("wallet_id", metavar="ID")
@format_option
@click.pass_obj
def wallet_show(app: AppContext, wallet_id: str, fmt: str) -> None:
    """One wallet and its confirmed balance."""
    _show_wallet(fmt, app.lana().custody.get_wallet(app.actor(), parse_id(wallet_id, "wallet id")))


@wallet.command("set-balance")
@click.argument("wallet_id", metavar="ID")
@click.argument("amount", metavar="BTC_AMOUNT")
@format_option
@click.pass_obj
def wallet_set_balance(app: AppContext, wallet_id: str, amount: str, fmt: str) -> None:
    """Set a simulated custodian's wallet's confirmed balance, in BTC (e.g. 0.5), as a
    confirmed deposit or withdrawal would."""
    sats = Money.parse(amount, Currency.BTC).amount
    updated = app.lana().custody.set_balance(parse_id(wallet_id, "wallet id"), sats, actor=app.actor())
    _show_wallet(fmt, updated)


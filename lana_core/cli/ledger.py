"""``lana ledger``: balances, transactions, export and the invariants check."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import click

from lana_core.cli.context import AppContext, console, err_console, to_json
from lana_core.cli.options import DATE, currency_option, format_option
from lana_core.errors import InvalidInput, LanaError
from lana_core.ledger import Layer
from lana_core.money import format_minor


@click.group()
def ledger() -> None:
    """The double-entry ledger."""


@ledger.command("balance")
@click.argument("code")
@click.option("--as-of", "as_of", type=DATE, help="End of this effective date (default: now).")
@currency_option
@format_option
@click.pass_obj
def balance(app: AppContext, code: str, as_of, currency, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """Balance of an account or account set (chart node), by layer."""
    b = app.lana().accounting.balance(app.actor(), code, currency, as_of=as_of)
    data = {
        "code": b.code,
        "currency": b.currency.value,
        "unit": b.currency.minor_unit,
        "as_of": as_of,
        "normal_balance": b.normal_balance.value,
        **{layer.value: b.amount(layer) for layer in Layer},
        **{f"{layer.value}_{side}": getattr(b.layer(layer), side) for layer in Layer for side in ("dr", "cr")},
    }
    if fmt == "json":
        console.print_json(to_json(data))
        return
    from rich.table import Table

    table = Table(title=f"{b.code} · {b.currency} · as of {as_of or 'now'}", title_justify="left")
    for column in ("Layer", "Debits", "Credits", f"Balance ({b.normal_balance})"):
        table.add_column(column, justify="right" if column != "Layer" else "left")
    for layer in Layer:
        t = b.layer(layer)
        table.add_row(layer.value, *(format_minor(v, b.currency) for v in (t.dr, t.cr, b.amount(layer))))
    console.print(table)


@ledger.command("transaction")
@click.argument("transaction_id")
@format_option
@click.pass_obj
def transaction(app: AppContext, transaction_id: str, fmt: str) -> None:
    """Show one transaction and its entries."""
    try:
        tx_id = UUID(transaction_id)
    except ValueError:
        raise InvalidInput(f"{transaction_id!r} is not a transaction id") from None
    detail = app.lana().accounting.transaction(app.actor(), tx_id)
    tx, codes = detail.transaction, detail.account_codes
    if fmt == "json":
        data = tx.__dict__ | {"entries": [e.__dict__ | {"account_code": codes[e.account_id],
                                                        "unit": e.currency.minor_unit} for e in tx.entries]}
        console.print_json(to_json(data))
        return
    from rich.table import Table

    table = Table(
        title=f"{tx.id} · {tx.template_code or 'manual'} · effective {tx.effective_date} · {tx.description or ''}",
        title_justify="left",
    )
    for column in ("#", "Account", "Layer", "Debit", "Credit", "Currency"):
        table.add_column(column)
    for e in tx.entries:
        amount = format_minor(e.amount, e.currency)
        table.add_row(str(e.index), codes[e.account_id], e.layer.value,
                      amount if e.direction.value == "debit" else "", amount if e.direction.value == "credit" else "",
                      e.currency.value)
    console.print(table)


@ledger.command("export-entries")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--from", "date_from", type=DATE, help="First effective date to include.")
@click.option("--to", "date_to", type=DATE, help="Last effective date to include.")
@click.pass_obj
def export(app: AppContext, output: Path, date_from, date_to) -> None:  # type: ignore[no-untyped-def]
    """Write every entry to a CSV file (one row per entry, amounts in minor units)."""
    lana, actor = app.lana(), app.actor()
    with err_console.status("exporting entries") as status:
        count = lana.accounting.export_entries(actor, output, date_from=date_from, date_to=date_to,
                                               on_progress=lambda n: status.update(f"exporting entries: {n:,}"))
    err_console.print(f"{count:,} entries written to {output}")


@ledger.command("check")
@format_option
@click.pass_obj
def check(app: AppContext, fmt: str) -> None:
    """Verify the ledger's invariants against what is stored."""
    lana, actor = app.lana(), app.actor()
    with err_console.status("checking the ledger"):
        result = lana.accounting.check_ledger(actor)
    violations = result.violations
    if fmt == "json":
        console.print_json(to_json({"ok": result.ok, "transactions": result.transactions, "entries": result.entries,
                                    "violations": [str(v) for v in violations]}))
    if violations:
        raise LanaError("ledger invariants violated: " + " | ".join(str(v) for v in violations))
    if fmt != "json":
        err_console.print(f"ledger invariants hold: {result.transactions:,} transactions, {result.entries:,} entries")

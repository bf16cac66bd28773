"""``lana accounting``: the chart of accounts and the financial statements."""

from __future__ import annotations

from pathlib import Path

import click

from lana_core.accounting.chart import PRIMARY_CHART, ChartOfAccounts, default_chart_csv
from lana_core.accounting.statements import Statements
from lana_core.cli.context import AppContext, console, err_console, to_json
from lana_core.cli.options import DATE, currency_option, format_option, layer_option
from lana_core.cli.render import (
    print_balance_sheet,
    print_profit_and_loss,
    print_trial_balance,
    statement_json,
)
from lana_core.errors import InvalidInput


@click.group()
def accounting() -> None:
    """Chart of accounts and financial statements."""


@accounting.command("import-chart")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--default", "use_default", is_flag=True, help="Import the chart that ships with Lana.")
@click.option("--chart", "chart_code", default=PRIMARY_CHART, show_default=True)
@click.pass_obj
def import_chart(app: AppContext, file: Path | None, use_default: bool, chart_code: str) -> None:
    """Import a chart of accounts from CSV (all nodes or none; re-importing is safe)."""
    if (file is None) == (not use_default):
        raise InvalidInput("give a CSV file or --default (one of them)")
    text, source = (default_chart_csv(), "default chart") if use_default else (file.read_text(), file.name)
    with app.unit_of_work() as uow, err_console.status("importing the chart of accounts"):
        result = ChartOfAccounts(uow.ledger).import_csv(text, chart_code=chart_code, source=source)
        uow.commit()
    err_console.print(f"{len(result.created)} nodes created, {result.unchanged} already present")


@accounting.command("chart")
@click.option("--chart", "chart_code", default=PRIMARY_CHART, show_default=True)
@format_option
@click.pass_obj
def show_chart(app: AppContext, chart_code: str, fmt: str) -> None:
    """Show the chart of accounts."""
    from rich.table import Table

    with app.unit_of_work() as uow:
        chart = ChartOfAccounts(uow.ledger).load(chart_code)
    if fmt == "json":
        console.print_json(to_json([e.__dict__ for e in chart.entries]))
        return
    table = Table(title=f"Chart of accounts {chart.code}", title_justify="left", header_style="bold")
    for column in ("Code", "Name", "Normal balance", "Category"):
        table.add_column(column)
    for e in chart.entries:
        table.add_row(e.code, "  " * e.depth + e.name, e.normal_balance.value, e.category.value,
                      style="bold" if e.depth == 0 else None)
    console.print(table)


def _statements(uow) -> Statements:  # type: ignore[no-untyped-def]
    return Statements(uow.ledger, ChartOfAccounts(uow.ledger).load())


def _show(statement, printer, fmt: str) -> None:  # type: ignore[no-untyped-def]
    if fmt == "json":
        console.print_json(to_json(statement_json(statement)))
    else:
        printer(console, statement)


@accounting.command("trial-balance")
@click.option("--from", "date_from", type=DATE, required=True)
@click.option("--to", "date_to", type=DATE, required=True)
@currency_option
@layer_option
@format_option
@click.pass_obj
def trial_balance(app: AppContext, date_from, date_to, currency, layer, fmt) -> None:  # type: ignore[no-untyped-def]
    """Per chart node: opening balance, period debits and credits, closing balance; totals."""
    with app.unit_of_work() as uow:
        tb = _statements(uow).trial_balance(date_from, date_to, currency, layer)
    _show(tb, print_trial_balance, fmt)


@accounting.command("balance-sheet")
@click.option("--as-of", "as_of", type=DATE, required=True)
@currency_option
@layer_option
@format_option
@click.pass_obj
def balance_sheet(app: AppContext, as_of, currency, layer, fmt) -> None:  # type: ignore[no-untyped-def]
    """Assets, liabilities and equity as of the end of a day."""
    with app.unit_of_work() as uow:
        bs = _statements(uow).balance_sheet(as_of, currency, layer)
    _show(bs, print_balance_sheet, fmt)


@accounting.command("profit-and-loss")
@click.option("--from", "date_from", type=DATE, required=True)
@click.option("--to", "date_to", type=DATE, required=True)
@currency_option
@layer_option
@format_option
@click.pass_obj
def profit_and_loss(app: AppContext, date_from, date_to, currency, layer, fmt) -> None:  # type: ignore[no-untyped-def]
    """Revenue, cost of revenue, expenses and net income for a period."""
    with app.unit_of_work() as uow:
        pl = _statements(uow).profit_and_loss(date_from, date_to, currency, layer)
    _show(pl, print_profit_and_loss, fmt)

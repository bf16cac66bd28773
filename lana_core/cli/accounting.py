"""``lana accounting``: the chart of accounts, financial statements, manual transactions and fiscal years."""

from __future__ import annotations

from pathlib import Path

import click

from lana_core.accounting.chart import PRIMARY_CHART, default_chart_csv
from lana_core.accounting.domain import ManualLine
from lana_core.cli.common import Column, entity_json, print_json, print_record, print_table, show_list, show_one
from lana_core.cli.context import AppContext, console, err_console, to_json
from lana_core.cli.options import DATE, currency_option, format_option, layer_option
from lana_core.cli.render import (
    print_balance_sheet,
    print_profit_and_loss,
    print_trial_balance,
    statement_json,
)
from lana_core.errors import InvalidInput
from lana_core.ledger import Direction
from lana_core.money import Currency, Money, format_minor


@click.group()
def accounting() -> None:
    """Chart of accounts, financial statements, manual transactions and fiscal years."""


@accounting.command("import-chart")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--default", "use_default", is_flag=True, help="Import the chart that ships with Lana.")
@click.option("--chart", "chart_code", default=PRIMARY_CHART, show_default=True,
              help="The chart to import into (the accounting service keeps the primary chart).")
@click.pass_obj
def import_chart(app: AppContext, file: Path | None, use_default: bool, chart_code: str) -> None:
    """Import a chart of accounts from CSV (all nodes or none; re-importing is safe)."""
    if (file is None) == (not use_default):
        raise InvalidInput("give a CSV file or --default (one of them)")
    _check_chart(chart_code)
    text, source = (default_chart_csv(), "default chart") if use_default else (file.read_text(), file.name)
    lana, actor = app.lana(), app.actor()
    with err_console.status("importing the chart of accounts"):
        result = lana.accounting.import_chart(actor, text, source=source)
    err_console.print(f"{len(result.created)} nodes created, {result.unchanged} already present")


def _check_chart(chart_code: str) -> None:
    if chart_code != PRIMARY_CHART:
        raise InvalidInput(f"only the {PRIMARY_CHART!r} chart is kept by the accounting service, not {chart_code!r}")


@accounting.command("chart")
@click.option("--chart", "chart_code", default=PRIMARY_CHART, show_default=True)
@format_option
@click.pass_obj
def show_chart(app: AppContext, chart_code: str, fmt: str) -> None:
    """Show the chart of accounts."""
    from rich.table import Table

    _check_chart(chart_code)
    chart = app.lana().accounting.chart(app.actor())
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
    tb = app.lana().accounting.trial_balance(app.actor(), date_from, date_to, currency, layer)
    _show(tb, print_trial_balance, fmt)


@accounting.command("balance-sheet")
@click.option("--as-of", "as_of", type=DATE, required=True)
@currency_option
@layer_option
@format_option
@click.pass_obj
def balance_sheet(app: AppContext, as_of, currency, layer, fmt) -> None:  # type: ignore[no-untyped-def]
    """Assets, liabilities and equity as of the end of a day."""
    bs = app.lana().accounting.balance_sheet(app.actor(), as_of, currency, layer)
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
    pl = app.lana().accounting.profit_and_loss(app.actor(), date_from, date_to, currency, layer)
    _show(pl, print_profit_and_loss, fmt)


# --- manual transactions ------------------------------------------------------------------

LINE_FORMAT = "CODE:debit|credit:AMOUNT[:CURRENCY[:DESCRIPTION]]"


def parse_line(text: str) -> ManualLine:
    """One --line: the account (a chart leaf or a ledger account code), the side, a decimal
    amount in major units, the currency (USD by default) and a description."""
    parts = text.split(":", 4)
    if len(parts) < 3 or not parts[0].strip():
        raise InvalidInput(f"--line {text!r} is not {LINE_FORMAT}")
    code, side, amount = (p.strip() for p in parts[:3])
    sides = {"debit": Direction.DEBIT, "dr": Direction.DEBIT, "credit": Direction.CREDIT, "cr": Direction.CREDIT}
    if side.lower() not in sides:
        raise InvalidInput(f"--line {text!r}: the side is debit or credit, got {side!r}")
    currency = Currency.parse(parts[3]) if len(parts) > 3 and parts[3].strip() else Currency.USD
    description = parts[4].strip() if len(parts) > 4 and parts[4].strip() else None
    return ManualLine(code, sides[side.lower()], Money.parse(amount, currency).amount, currency, description)


def _manual_json(mt) -> dict:  # type: ignore[no-untyped-def]
    data = entity_json(mt)
    data["lines"] = [{**line, "unit": Currency(line["currency"]).minor_unit} for line in data["lines"]]
    return data


def _line_amount(line: ManualLine, side: Direction) -> str:
    return format_minor(line.amount, line.currency) if line.direction is side else ""


@accounting.command("manual-transaction")
@click.option("--description", required=True, help="What the adjustment is for.")
@click.option("--effective-date", type=DATE, help="The business date (default: today).")
@click.option("--reference", help="Your reference; repeating a request with it returns the first posting.")
@click.option("--line", "lines", multiple=True, required=True, metavar="LINE",
              help=f"{LINE_FORMAT} (at least two; amounts in major units, e.g. 1250.50).")
@format_option
@click.pass_obj
def manual_transaction(app: AppContext, description: str, effective_date, reference: str | None,  # type: ignore
                       lines: tuple[str, ...], fmt: str) -> None:
    """Post a manual transaction: balanced lines on chart leaves or ledger accounts."""
    parsed = [parse_line(line) for line in lines]
    if len(parsed) < 2:
        raise InvalidInput("a manual transaction needs at least two --line")
    posted = app.lana().accounting.post_manual_transaction(app.actor(), description, parsed,
                                                           effective_date=effective_date, reference=reference)
    if fmt == "json":
        print_json(_manual_json(posted))
        return
    print_record(f"Manual transaction {posted.reference}", [
        ("id", posted.id), ("reference", posted.reference), ("description", posted.description),
        ("effective date", posted.effective_date), ("ledger transaction", posted.ledger_transaction_id),
    ])
    print_table("Lines", [
        Column("Account", lambda line: line.account),
        Column("Debit", lambda line: _line_amount(line, Direction.DEBIT), numeric=True),
        Column("Credit", lambda line: _line_amount(line, Direction.CREDIT), numeric=True),
        Column("Currency", lambda line: line.currency),
        Column("Description", lambda line: line.description),
    ], posted.lines)


@accounting.command("manual-transactions")
@format_option
@click.pass_obj
def manual_transactions(app: AppContext, fmt: str) -> None:
    """Every manual transaction, oldest first."""
    show_list(fmt, app.lana().accounting.manual_transactions(app.actor()), "Manual transactions", [
        Column("Reference", lambda mt: mt.reference),
        Column("Effective", lambda mt: mt.effective_date),
        Column("Description", lambda mt: mt.description),
        Column("Lines", lambda mt: len(mt.lines), numeric=True),
        Column("Ledger transaction", lambda mt: mt.ledger_transaction_id),
        Column("Id", lambda mt: mt.id),
    ], as_json=_manual_json)


# --- fiscal years -------------------------------------------------------------------------


def _net_income(fy) -> str:  # type: ignore[no-untyped-def]
    return ", ".join(f"{format_minor(v, Currency(c))} {c}" for c, v in sorted(fy.net_income.items()))


def _fiscal_year_json(fy) -> dict:  # type: ignore[no-untyped-def]
    return entity_json(fy, net_income_units={c: Currency(c).minor_unit for c in fy.net_income})


FISCAL_YEAR_COLUMNS = [
    Column("Year", lambda fy: fy.year),
    Column("Months closed", lambda fy: fy.months_closed, numeric=True),
    Column("Closed", lambda fy: "yes" if fy.closed else ""),
    Column("Net income", _net_income, numeric=True),
]


def _show_fiscal_year(fmt: str, fy) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, fy, f"Fiscal year {fy.year}", lambda fy: [
        (column.header.lower(), column.get(fy)) for column in FISCAL_YEAR_COLUMNS
    ], as_json=_fiscal_year_json)


@accounting.group("fiscal-year")
def fiscal_year() -> None:
    """Fiscal years: months close in order; December closes with the year."""


@fiscal_year.command("open")
@click.argument("year", type=int)
@format_option
@click.pass_obj
def fiscal_year_open(app: AppContext, year: int, fmt: str) -> None:
    """Open a fiscal year."""
    _show_fiscal_year(fmt, app.lana().accounting.open_fiscal_year(app.actor(), year))


@fiscal_year.command("close-month")
@click.argument("year", type=int)
@click.argument("month", type=click.IntRange(1, 12))
@format_option
@click.pass_obj
def fiscal_year_close_month(app: AppContext, year: int, month: int, fmt: str) -> None:
    """Close the next month of a year: no posting may be dated in it afterwards."""
    _show_fiscal_year(fmt, app.lana().accounting.close_month(app.actor(), year, month))


@fiscal_year.command("close")
@click.argument("year", type=int)
@format_option
@click.pass_obj
def fiscal_year_close(app: AppContext, year: int, fmt: str) -> None:
    """Close a year: post the closing transaction to retained earnings, close December."""
    lana, actor = app.lana(), app.actor()
    with err_console.status(f"closing fiscal year {year}"):
        closed = lana.accounting.close_year(actor, year)
    _show_fiscal_year(fmt, closed)


@fiscal_year.command("list")
@format_option
@click.pass_obj
def fiscal_year_list(app: AppContext, fmt: str) -> None:
    """Every fiscal year and how far it is closed."""
    show_list(fmt, app.lana().accounting.fiscal_years(app.actor()), "Fiscal years", FISCAL_YEAR_COLUMNS,
              as_json=_fiscal_year_json)

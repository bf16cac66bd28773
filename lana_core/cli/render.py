"""Statements as terminal tables and as JSON-ready dicts (amounts in integer minor units)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from lana_core.accounting.statements import BalanceSheet, ProfitAndLoss, Section, StatementLine, TrialBalance
from lana_core.money import Currency, format_minor


def _amount_table(title: str, columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("Code", no_wrap=True)
    table.add_column("Account")
    for column in columns:
        table.add_column(column, justify="right", no_wrap=True)
    return table


def _name(line: StatementLine) -> str:
    return "  " * line.depth + line.name


def print_trial_balance(console: Console, tb: TrialBalance) -> None:
    fmt = lambda v: format_minor(v, tb.currency)  # noqa: E731
    table = _amount_table(
        f"Trial balance {tb.date_from} to {tb.date_to} · {tb.currency} · {tb.layer} layer",
        ["Opening", "Debits", "Credits", "Closing"],
    )
    for line in tb.lines:
        if not (line.opening or line.debits or line.credits or line.closing) and line.depth > 0:
            continue  # keep the upper levels, skip idle detail
        style = "bold" if line.depth == 0 else None
        table.add_row(
            line.code, _name(line), fmt(line.opening), fmt(line.debits), fmt(line.credits), fmt(line.closing),
            style=style,
        )
    t = tb.totals
    table.add_section()
    table.add_row("", "Total debits / credits", "", fmt(t.debits), fmt(t.credits), "", style="bold")
    table.add_row("", "Closing debit / credit balances", "", fmt(t.closing_debit_balances),
                  fmt(t.closing_credit_balances), "", style="bold")
    table.caption = "balanced" if t.balanced else "[red]NOT BALANCED[/]"
    console.print(table)


def print_balance_sheet(console: Console, bs: BalanceSheet) -> None:
    fmt = lambda v: format_minor(v, bs.currency)  # noqa: E731
    table = _amount_table(f"Balance sheet as of {bs.as_of} · {bs.currency} · {bs.layer} layer", ["Balance"])
    for section in (bs.assets, bs.liabilities, bs.equity):
        _section_rows(table, section, fmt, lambda line: line.closing)
    table.add_row("", "Current earnings (not yet closed)", fmt(bs.current_earnings))
    table.add_section()
    table.add_row("", "Total assets", fmt(bs.assets.total), style="bold")
    table.add_row("", "Total liabilities, equity and current earnings", fmt(bs.total_liabilities_and_equity),
                  style="bold")
    table.caption = "balanced" if bs.balanced else "[red]NOT BALANCED[/]"
    console.print(table)


def print_profit_and_loss(console: Console, pl: ProfitAndLoss) -> None:
    fmt = lambda v: format_minor(v, pl.currency)  # noqa: E731
    table = _amount_table(
        f"Profit and loss {pl.date_from} to {pl.date_to} · {pl.currency} · {pl.layer} layer", ["Amount"]
    )
    for section in (pl.revenue, pl.cost_of_revenue, pl.expenses):
        _section_rows(table, section, fmt, lambda line: line.closing - line.opening)
    table.add_section()
    table.add_row("", "Gross profit", fmt(pl.gross_profit), style="bold")
    table.add_row("", "Net income", fmt(pl.net_income), style="bold")
    console.print(table)


def _section_rows(table: Table, section: Section, fmt: Any, value: Any) -> None:
    for line in section.lines:
        if line.depth > 0 and not (line.opening or line.closing or line.debits or line.credits):
            continue
        table.add_row(line.code, _name(line), fmt(value(line)), style="bold" if line.depth == 0 else None)


def statement_json(statement: TrialBalance | BalanceSheet | ProfitAndLoss) -> dict[str, Any]:
    data = asdict(statement)
    currency: Currency = statement.currency
    data["unit"] = currency.minor_unit
    if isinstance(statement, TrialBalance):
        data["statement"] = "trial_balance"
        data["totals"]["balanced"] = statement.totals.balanced
    elif isinstance(statement, BalanceSheet):
        data["statement"] = "balance_sheet"
        data["total_liabilities_and_equity"] = statement.total_liabilities_and_equity
        data["balanced"] = statement.balanced
    else:
        data["statement"] = "profit_and_loss"
        data["gross_profit"] = statement.gross_profit
        data["net_income"] = statement.net_income
    return data

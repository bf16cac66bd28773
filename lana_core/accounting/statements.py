"""Financial statements computed live from the ledger, per chart node, for one currency and layer.

Amounts are integer minor units. Opening and closing balances are on each node's normal side
(a debit-normal asset with more debits than credits is positive); period debits and credits
are plain totals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from lana_core.accounting.chart import Category, Chart
from lana_core.errors import InvalidInput
from lana_core.ledger import Activity, Direction, Layer, LayerTotals, Ledger
from lana_core.money import Currency

# The metadata ``kind`` of the transactions that close a fiscal year.
YEAR_END_CLOSING = "year_end_closing"


@dataclass(frozen=True)
class StatementLine:
    """One chart node in a statement. opening/closing: normal-side balances; debits/credits:
    the period's totals; depth: 0 for top-level nodes."""

    code: str
    name: str
    depth: int
    normal_balance: Direction
    category: Category
    opening: int
    debits: int
    credits: int
    closing: int


@dataclass(frozen=True)
class TrialBalanceTotals:
    """Summed over top-level nodes. debits == credits and the debit-side balances equal the
    credit-side balances whenever every account of the journal sits in the chart."""

    debits: int
    credits: int
    opening_debit_balances: int
    opening_credit_balances: int
    closing_debit_balances: int
    closing_credit_balances: int

    @property
    def balanced(self) -> bool:
        return (
            self.debits == self.credits
            and self.opening_debit_balances == self.opening_credit_balances
            and self.closing_debit_balances == self.closing_credit_balances
        )


@dataclass(frozen=True)
class TrialBalance:
    date_from: date
    date_to: date
    currency: Currency
    layer: Layer
    lines: tuple[StatementLine, ...]
    totals: TrialBalanceTotals


@dataclass(frozen=True)
class Section:
    """A statement section (e.g. assets): its lines and the total of its top-level node."""

    category: Category
    lines: tuple[StatementLine, ...]
    total: int


@dataclass(frozen=True)
class BalanceSheet:
    """As of the end of ``as_of``. current_earnings: revenue - cost of revenue - expenses not yet
    closed into retained earnings; balanced: assets == liabilities + equity + current earnings."""

    as_of: date
    currency: Currency
    layer: Layer
    assets: Section
    liabilities: Section
    equity: Section
    current_earnings: int

    @property
    def total_liabilities_and_equity(self) -> int:
        return self.liabilities.total + self.equity.total + self.current_earnings

    @property
    def balanced(self) -> bool:
        return self.assets.total == self.total_liabilities_and_equity


@dataclass(frozen=True)
class ProfitAndLoss:
    """Movements within [date_from, date_to]; each line's ``closing - opening`` is its result."""

    date_from: date
    date_to: date
    currency: Currency
    layer: Layer
    revenue: Section
    cost_of_revenue: Section
    expenses: Section

    @property
    def gross_profit(self) -> int:
        return self.revenue.total - self.cost_of_revenue.total

    @property
    def net_income(self) -> int:
        return self.gross_profit - self.expenses.total


class Statements:
    def __init__(self, ledger: Ledger, chart: Chart) -> None:
        self.ledger = ledger
        self.chart = chart

    def trial_balance(
        self, date_from: date, date_to: date, currency: Currency = Currency.USD, layer: Layer = Layer.SETTLED
    ) -> TrialBalance:
        _check_period(date_from, date_to)
        lines = self._lines(date_from, date_to, currency, layer)
        top = [line for line in lines if line.depth == 0]

        def sides(amounts: list[tuple[Direction, int]]) -> tuple[int, int]:
            # A node's balance as debit-minus-credit, then split onto the side it sits.
            raw = [amount if normal is Direction.DEBIT else -amount for normal, amount in amounts]
            return sum(r for r in raw if r > 0), -sum(r for r in raw if r < 0)

        open_dr, open_cr = sides([(line.normal_balance, line.opening) for line in top])
        close_dr, close_cr = sides([(line.normal_balance, line.closing) for line in top])
        totals = TrialBalanceTotals(
            debits=sum(line.debits for line in top),
            credits=sum(line.credits for line in top),
            opening_debit_balances=open_dr,
            opening_credit_balances=open_cr,
            closing_debit_balances=close_dr,
            closing_credit_balances=close_cr,
        )
        return TrialBalance(date_from, date_to, Currency(currency), Layer(layer), tuple(lines), totals)

    def balance_sheet(
        self, as_of: date, currency: Currency = Currency.USD, layer: Layer = Layer.SETTLED
    ) -> BalanceSheet:
        lines = self._lines(None, as_of, currency, layer)
        sections = {c: _section(c, lines) for c in Category}
        earnings = (
            sections[Category.REVENUE].total
            - sections[Category.COST_OF_REVENUE].total
            - sections[Category.EXPENSES].total
        )
        return BalanceSheet(
            as_of,
            Currency(currency),
            Layer(layer),
            sections[Category.ASSET],
            sections[Category.LIABILITY],
            sections[Category.EQUITY],
            earnings,
        )

    def profit_and_loss(
        self, date_from: date, date_to: date, currency: Currency = Currency.USD, layer: Layer = Layer.SETTLED
    ) -> ProfitAndLoss:
        """The period's result. Year-end closing transactions are left out: they move the
        result to retained earnings, they are not part of it."""
        _check_period(date_from, date_to)
        lines = self._lines(date_from, date_to, currency, layer)
        closing = self.ledger.set_activity_of_kind(
            YEAR_END_CLOSING, currency, layer, date_from=date_from, date_to=date_to, journal=self.chart.journal_id
        )
        if closing:
            by_code = {e.code: e.account_set_id for e in self.chart.entries}
            lines = [_without(line, closing.get(by_code[line.code])) for line in lines]
        return ProfitAndLoss(
            date_from,
            date_to,
            Currency(currency),
            Layer(layer),
            _section(Category.REVENUE, lines, movement=True),
            _section(Category.COST_OF_REVENUE, lines, movement=True),
            _section(Category.EXPENSES, lines, movement=True),
        )

    def _lines(self, date_from: date | None, date_to: date, currency: Currency, layer: Layer) -> list[StatementLine]:
        activity = self.ledger.set_activity(
            Currency(currency), Layer(layer), date_from=date_from, date_to=date_to, journal=self.chart.journal_id
        )
        empty = Activity(LayerTotals(), LayerTotals())
        lines = []
        for entry in self.chart.entries:
            a = activity.get(entry.account_set_id, empty)
            lines.append(
                StatementLine(
                    code=entry.code,
                    name=entry.name,
                    depth=entry.depth,
                    normal_balance=entry.normal_balance,
                    category=entry.category,
                    opening=a.opening.net(entry.normal_balance),
                    debits=a.period.dr,
                    credits=a.period.cr,
                    closing=a.closing.net(entry.normal_balance),
                )
            )
        return lines


def _without(line: StatementLine, moved: LayerTotals | None) -> StatementLine:
    """The line as if the given movements had not happened in the period."""
    if moved is None:
        return line
    debits, credits = line.debits - moved.dr, line.credits - moved.cr
    change = debits - credits if line.normal_balance is Direction.DEBIT else credits - debits
    return replace(line, debits=debits, credits=credits, closing=line.opening + change)


def _section(category: Category, lines: list[StatementLine], *, movement: bool = False) -> Section:
    chosen = tuple(line for line in lines if line.category is category)
    value = (lambda line: line.closing - line.opening) if movement else (lambda line: line.closing)
    return Section(category, chosen, sum(value(line) for line in chosen if line.depth == 0))


def _check_period(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise InvalidInput(f"the period starts ({date_from}) after it ends ({date_to})")


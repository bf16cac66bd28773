"""Manual transactions and fiscal years. Plain Python: no database here."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from lana_core.errors import InvalidInput, LanaError
from lana_core.eventsourcing import Aggregate, Event
from lana_core.ledger import Direction
from lana_core.money import Currency


class AccountingError(LanaError):
    pass


@dataclass(frozen=True)
class ManualLine:
    """One line of a manual transaction: account (a chart leaf code, or a ledger account
    code), direction, amount in minor units of currency, and an optional description."""

    account: str
    direction: Direction
    amount: int
    currency: Currency
    description: str | None = None


@dataclass(frozen=True)
class ManualTransactionPosted(Event):
    reference: str
    description: str
    effective_date: date
    lines: tuple[ManualLine, ...]
    ledger_transaction_id: UUID


class ManualTransaction(Aggregate):
    """An accounting adjustment entered by an operator (not from a business operation)."""

    stream_type = "manual_transaction"
    event_types = (ManualTransactionPosted,)

    reference: str
    description: str
    effective_date: date
    lines: tuple[ManualLine, ...]
    ledger_transaction_id: UUID

    @classmethod
    def post(cls, id: UUID, reference: str, description: str, effective_date: date,
             lines: list[ManualLine], ledger_transaction_id: UUID) -> ManualTransaction:
        if not description.strip():
            raise InvalidInput("a manual transaction needs a description")
        if len(lines) < 2:
            raise InvalidInput("a manual transaction needs at least two lines")
        tx = cls(id)
        tx._record(ManualTransactionPosted(reference, description.strip(), effective_date, tuple(lines),
                                           ledger_transaction_id))
        return tx

    def _apply(self, event: Event) -> None:
        match event:
            case ManualTransactionPosted(reference, description, effective_date, lines, tx):
                self.reference, self.description, self.effective_date = reference, description, effective_date
                self.lines, self.ledger_transaction_id = lines, tx


# --- fiscal years -------------------------------------------------------------------------


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class FiscalYearOpened(Event):
    year: int


@dataclass(frozen=True)
class MonthClosed(Event):
    month: int
    closed_through: date


@dataclass(frozen=True)
class FiscalYearClosed(Event):
    closed_through: date
    ledger_transaction_ids: tuple[UUID, ...]  # the closing transaction(s), one per currency
    net_income: dict[str, int]                # per currency, minor units


class FiscalYear(Aggregate):
    """A calendar year of books. Months close in order, January to November; December closes
    with the year: the closing transaction (dated 31 December) moves the year's result from
    revenue and expenses to retained earnings, then the whole year is closed to postings.

    months_closed: the number of months closed so far (0..12); closed: the year is closed.
    """

    stream_type = "fiscal_year"
    event_types = (FiscalYearOpened, MonthClosed, FiscalYearClosed)

    year: int
    months_closed: int
    closed: bool
    net_income: dict[str, int]

    @classmethod
    def open(cls, id: UUID, year: int) -> FiscalYear:
        if not 1900 < year < 3000:
            raise InvalidInput(f"{year} is not a fiscal year")
        fiscal_year = cls(id)
        fiscal_year._record(FiscalYearOpened(year))
        return fiscal_year

    def next_month_to_close(self) -> int:
        return self.months_closed + 1

    def close_month(self, month: int, today: date) -> date:
        """Check and record the month's close; returns the date the books close through."""
        if self.closed:
            raise AccountingError(f"fiscal year {self.year} is closed")
        if month == 12:
            raise AccountingError("December closes with the year: use close-year")
        if month != self.next_month_to_close():
            raise AccountingError(
                f"months close in order: the next month of {self.year} to close is {self.next_month_to_close()}"
            )
        through = month_end(self.year, month)
        if through >= today:
            raise AccountingError(f"{self.year}-{month:02d} has not ended yet (today is {today})")
        self._record(MonthClosed(month, through))
        return through

    def close_year(self, today: date, ledger_transaction_ids: tuple[UUID, ...], net_income: dict[str, int]) -> date:
        self.check_closable(today)
        through = date(self.year, 12, 31)
        self._record(FiscalYearClosed(through, ledger_transaction_ids, net_income))
        return through

    def check_closable(self, today: date) -> None:
        if self.closed:
            raise AccountingError(f"fiscal year {self.year} is already closed")
        if self.months_closed < 11:
            raise AccountingError(
                f"close January to November first: {self.months_closed} month(s) of {self.year} closed"
            )
        if date(self.year, 12, 31) >= today:
            raise AccountingError(f"{self.year} has not ended yet (today is {today})")

    def _apply(self, event: Event) -> None:
        match event:
            case FiscalYearOpened(year):
                self.year, self.months_closed, self.closed, self.net_income = year, 0, False, {}
            case MonthClosed(month, _):
                self.months_closed = month
            case FiscalYearClosed(_, _, net_income):
                self.months_closed, self.closed, self.net_income = 12, True, dict(net_income)

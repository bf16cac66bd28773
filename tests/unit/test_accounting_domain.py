from datetime import date
from uuid import uuid4

import pytest

from lana_core.accounting.domain import (
    AccountingError,
    FiscalYear,
    FiscalYearClosed,
    FiscalYearOpened,
    ManualLine,
    ManualTransaction,
    ManualTransactionPosted,
    MonthClosed,
    month_end,
)
from lana_core.errors import InvalidInput
from lana_core.ledger import Direction
from lana_core.money import Currency
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly, refused

LINES = [
    ManualLine("11.01.0101", Direction.DEBIT, 10_000, Currency.USD, "cash found in the vault"),
    ManualLine("71.01.0101", Direction.CREDIT, 10_000, Currency.USD),
]
NEXT_YEAR = date(2026, 1, 5)
CLOSING_TXS = (uuid4(), uuid4())


# --- manual transactions --------------------------------------------------------------------


def test_a_manual_transaction_records_its_lines_and_ledger_transaction():
    tx = uuid4()
    manual = ManualTransaction.post(uuid4(), "ADJ-1", "  Vault count difference ", date(2026, 3, 1), LINES, tx)
    assert (manual.reference, manual.description, manual.effective_date, manual.lines,
            manual.ledger_transaction_id) == ("ADJ-1", "Vault count difference", date(2026, 3, 1), tuple(LINES), tx)
    assert manual.pending_events == [
        ManualTransactionPosted("ADJ-1", "Vault count difference", date(2026, 3, 1), tuple(LINES), tx)
    ]


@pytest.mark.parametrize("description", ["", "   "])
def test_a_manual_transaction_needs_a_description(description):
    with raises_exactly(InvalidInput, "a manual transaction needs a description"):
        ManualTransaction.post(uuid4(), "ADJ-1", description, date(2026, 3, 1), LINES, uuid4())


@pytest.mark.parametrize("lines", [[], LINES[:1]])
def test_a_manual_transaction_needs_at_least_two_lines(lines):
    with raises_exactly(InvalidInput, "a manual transaction needs at least two lines"):
        ManualTransaction.post(uuid4(), "ADJ-1", "Vault count difference", date(2026, 3, 1), lines, uuid4())


def test_a_manual_transaction_rehydrates_from_its_events():
    manual = ManualTransaction.post(uuid4(), "ADJ-1", "Vault count", date(2026, 3, 1), [*LINES, *LINES], uuid4())
    assert_rehydrates(manual)


# --- fiscal years ---------------------------------------------------------------------------


def a_year(months_closed: int = 0) -> FiscalYear:
    year = FiscalYear.open(uuid4(), 2025)
    for month in range(1, months_closed + 1):
        year.close_month(month, NEXT_YEAR)
    return year


def a_closed_year() -> FiscalYear:
    year = a_year(11)
    year.close_year(NEXT_YEAR, CLOSING_TXS, {"USD": 1_250_00})
    return year


def test_a_new_fiscal_year_is_open_with_no_month_closed():
    year = FiscalYear.open(uuid4(), 2025)
    assert (year.year, year.months_closed, year.closed, year.net_income) == (2025, 0, False, {})
    assert year.next_month_to_close() == 1
    assert year.pending_events == [FiscalYearOpened(2025)]


@pytest.mark.parametrize("value", [0, 1900, 3000, -2025, 20250])
def test_a_fiscal_year_is_a_plausible_calendar_year(value):
    with raises_exactly(InvalidInput, f"{value} is not a fiscal year"):
        FiscalYear.open(uuid4(), value)


@pytest.mark.parametrize("value", [1901, 2999])
def test_the_first_and_last_plausible_years_are_accepted(value):
    assert FiscalYear.open(uuid4(), value).year == value


def test_months_close_in_order_from_january_to_november():
    year = a_year()
    for month in range(1, 12):
        assert year.next_month_to_close() == month
        through = year.close_month(month, NEXT_YEAR)
        assert through == month_end(2025, month)
        assert year.months_closed == month
        assert year.pending_events[-1] == MonthClosed(month, through)
    assert year.next_month_to_close() == 12
    assert not year.closed


def test_a_month_closes_through_its_last_day():
    assert [month_end(2025, m).day for m in range(1, 13)] == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    leap = FiscalYear.open(uuid4(), 2024)
    leap.close_month(1, NEXT_YEAR)
    assert leap.close_month(2, NEXT_YEAR) == date(2024, 2, 29)


@pytest.mark.parametrize("month", [2, 5, 11, 0, -1, 13])
def test_a_month_other_than_the_next_one_cannot_close(month):
    year = a_year()
    with refused(year, AccountingError, "months close in order: the next month of 2025 to close is 1"):
        year.close_month(month, NEXT_YEAR)


def test_a_closed_month_cannot_close_again():
    year = a_year(3)
    with refused(year, AccountingError, "months close in order: the next month of 2025 to close is 4"):
        year.close_month(3, NEXT_YEAR)


@pytest.mark.parametrize("months_closed", [0, 11])
def test_december_closes_only_with_the_year(months_closed):
    year = a_year(months_closed)
    with refused(year, AccountingError, "December closes with the year: use close-year"):
        year.close_month(12, NEXT_YEAR)


@pytest.mark.parametrize("today", [date(2025, 3, 31), date(2025, 3, 15), date(2025, 1, 1)])
def test_a_month_that_has_not_ended_cannot_close(today):
    year = a_year(2)
    with refused(year, AccountingError, f"2025-03 has not ended yet (today is {today})"):
        year.close_month(3, today)


def test_a_month_closes_on_the_day_after_its_last_day():
    year = a_year(2)
    assert year.close_month(3, date(2025, 4, 1)) == date(2025, 3, 31)


def test_a_closed_year_refuses_month_closes():
    year = a_closed_year()
    with refused(year, AccountingError, "fiscal year 2025 is closed"):
        year.close_month(1, NEXT_YEAR)
    with refused(year, AccountingError, "fiscal year 2025 is closed"):
        year.close_month(12, NEXT_YEAR)


def test_closing_the_year_closes_december_and_keeps_the_result():
    year = a_year(11)
    through = year.close_year(NEXT_YEAR, CLOSING_TXS, {"USD": 125_000, "BTC": -3})
    assert through == date(2025, 12, 31)
    assert (year.closed, year.months_closed, year.net_income) == (True, 12, {"USD": 125_000, "BTC": -3})
    assert year.pending_events[-1] == FiscalYearClosed(date(2025, 12, 31), CLOSING_TXS, {"USD": 125_000, "BTC": -3})


@pytest.mark.parametrize("months_closed", [0, 1, 10])
def test_the_year_closes_only_after_january_to_november(months_closed):
    year = a_year(months_closed)
    message = f"close January to November first: {months_closed} month(s) of 2025 closed"
    with raises_exactly(AccountingError, message):
        year.check_closable(NEXT_YEAR)
    with refused(year, AccountingError, message):
        year.close_year(NEXT_YEAR, CLOSING_TXS, {"USD": 0})


@pytest.mark.parametrize("today", [date(2025, 12, 31), date(2025, 12, 1)])
def test_a_year_that_has_not_ended_cannot_close(today):
    year = a_year(11)
    with raises_exactly(AccountingError, f"2025 has not ended yet (today is {today})"):
        year.check_closable(today)
    with refused(year, AccountingError, f"2025 has not ended yet (today is {today})"):
        year.close_year(today, CLOSING_TXS, {"USD": 0})


def test_a_year_closes_on_the_first_of_january_after_it():
    year = a_year(11)
    year.check_closable(date(2026, 1, 1))
    assert year.close_year(date(2026, 1, 1), (), {}) == date(2025, 12, 31)


def test_a_closed_year_cannot_close_again():
    year = a_closed_year()
    with refused(year, AccountingError, "fiscal year 2025 is already closed"):
        year.close_year(NEXT_YEAR, CLOSING_TXS, {"USD": 0})


def test_a_fiscal_year_rehydrates_from_its_events():
    assert_rehydrates(a_year(4))
    assert_rehydrates(a_closed_year())

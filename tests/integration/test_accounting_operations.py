"""Manual transactions, month closing and the year-end close."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from lana_core.accounting.domain import AccountingError, ManualLine
from lana_core.errors import InvalidInput, NotFound
from lana_core.ledger import Direction, Layer, PeriodClosed, UnbalancedTransaction
from lana_core.ledger.invariants import check_ledger
from lana_core.money import Currency
from tests.integration.conftest import snapshot

DR, CR, USD = Direction.DEBIT, Direction.CREDIT, Currency.USD


def lines(*specs):
    return [ManualLine(code, direction, amount, USD) for code, direction, amount in specs]


def balance(bank, code, as_of=None):
    with bank.db.unit_of_work() as uow:
        return uow.ledger.balance(code, USD, as_of=as_of).amount(Layer.SETTLED)


def test_a_manual_transaction_posts_to_chart_leaves_through_their_manual_accounts(bank, root):
    tx = bank.accounting.post_manual_transaction(
        root, "Capital injection", lines(("11.02", DR, 1_000_000_00), ("31.01", CR, 1_000_000_00)),
        effective_date=date(2026, 2, 1), reference="board-2026-01",
    )
    assert balance(bank, "11.02") == 1_000_000_00 and balance(bank, "3") == 1_000_000_00
    assert balance(bank, "MANUAL.31.01") == 1_000_000_00
    again = bank.accounting.post_manual_transaction(
        root, "Capital injection", lines(("11.02", DR, 1_000_000_00), ("31.01", CR, 1_000_000_00)),
        effective_date=date(2026, 2, 1), reference="board-2026-01",
    )
    assert again.id == tx.id and len(bank.accounting.manual_transactions(root)) == 1


def test_a_manual_transaction_that_breaks_a_rule_writes_nothing(bank, root):
    before = snapshot(bank)
    with pytest.raises(UnbalancedTransaction):
        bank.accounting.post_manual_transaction(root, "typo", lines(("11.02", DR, 100), ("31.01", CR, 99)))
    with pytest.raises(InvalidInput, match="has children"):
        bank.accounting.post_manual_transaction(root, "too high", lines(("11", DR, 100), ("31.01", CR, 100)))
    with pytest.raises(NotFound, match="99.99"):
        bank.accounting.post_manual_transaction(root, "nowhere", lines(("99.99", DR, 100), ("31.01", CR, 100)))
    with pytest.raises(InvalidInput, match="description"):
        bank.accounting.post_manual_transaction(root, " ", lines(("11.02", DR, 100), ("31.01", CR, 100)))
    assert snapshot(bank) == before


def test_months_close_in_order_and_refuse_later_postings_into_them(bank, root):
    bank.accounting.post_manual_transaction(root, "seed", lines(("11.02", DR, 500_00), ("31.01", CR, 500_00)),
                                            effective_date=date(2026, 1, 10))
    with pytest.raises(NotFound, match="not open"):
        bank.accounting.close_month(root, 2026, 1)
    bank.accounting.open_fiscal_year(root, 2026)
    with pytest.raises(AccountingError, match="next month of 2026 to close is 1"):
        bank.accounting.close_month(root, 2026, 2)
    bank.accounting.close_month(root, 2026, 1)
    bank.accounting.close_month(root, 2026, 2)
    with pytest.raises(AccountingError, match="has not ended yet"):
        bank.accounting.close_month(root, 2026, 3)  # today is 2026-03-02
    before = snapshot(bank)
    with pytest.raises(PeriodClosed, match="closed through 2026-02-28"):
        bank.accounting.post_manual_transaction(root, "late invoice", lines(("62.01", DR, 10_00), ("22.01", CR, 10_00)),
                                                effective_date=date(2026, 2, 27))
    assert snapshot(bank) == before
    bank.accounting.post_manual_transaction(root, "invoice", lines(("62.01", DR, 10_00), ("22.01", CR, 10_00)),
                                            effective_date=date(2026, 3, 1))


def test_the_year_end_close_moves_the_result_to_retained_earnings(bank, root, clock):
    post = bank.accounting.post_manual_transaction
    post(root, "capital", lines(("11.02", DR, 100_000_00), ("31.01", CR, 100_000_00)), effective_date=date(2026, 1, 5))
    post(root, "fees earned", lines(("11.02", DR, 30_000_00), ("42.02", CR, 30_000_00)), effective_date=date(2026, 6, 1))
    post(root, "rent", lines(("62.01", DR, 12_000_00), ("11.02", CR, 12_000_00)), effective_date=date(2026, 9, 1))
    post(root, "salaries", lines(("61.01", DR, 8_000_00), ("11.02", CR, 8_000_00)), effective_date=date(2026, 12, 20))
    bank.accounting.open_fiscal_year(root, 2026)
    clock.set(datetime(2027, 1, 15, 9, tzinfo=timezone.utc))
    with pytest.raises(AccountingError, match="close January to November first"):
        bank.accounting.close_year(root, 2026)
    for month in range(1, 12):
        bank.accounting.close_month(root, 2026, month)
    with pytest.raises(AccountingError, match="December closes with the year"):
        bank.accounting.close_month(root, 2026, 12)

    fiscal_year = bank.accounting.close_year(root, 2026)
    assert fiscal_year.closed and fiscal_year.net_income == {"USD": 10_000_00}
    end = date(2026, 12, 31)
    assert (balance(bank, "4", end), balance(bank, "5", end), balance(bank, "6", end)) == (0, 0, 0)
    assert balance(bank, "32.01", end) == 10_000_00
    sheet = bank.accounting.balance_sheet(root, end)
    assert sheet.balanced and sheet.current_earnings == 0 and sheet.equity.total == 110_000_00
    pl = bank.accounting.profit_and_loss(root, date(2026, 1, 1), end)
    assert (pl.revenue.total, pl.expenses.total, pl.net_income) == (30_000_00, 20_000_00, 10_000_00)
    assert bank.accounting.trial_balance(root, date(2026, 1, 1), end).totals.balanced
    with pytest.raises(PeriodClosed):
        post(root, "after close", lines(("62.01", DR, 1_00), ("11.02", CR, 1_00)), effective_date=date(2026, 12, 31))
    with pytest.raises(AccountingError, match="already closed"):
        bank.accounting.close_year(root, 2026)
    with bank.db.unit_of_work() as uow:
        assert check_ledger(uow.conn) == []


def test_a_loss_goes_to_the_loss_node(bank, root, clock):
    bank.accounting.post_manual_transaction(root, "rent", lines(("62.01", DR, 700_00), ("11.02", CR, 700_00)),
                                            effective_date=date(2026, 2, 1))
    bank.accounting.open_fiscal_year(root, 2026)
    clock.set(datetime(2027, 1, 2, tzinfo=timezone.utc))
    for month in range(1, 12):
        bank.accounting.close_month(root, 2026, month)
    assert bank.accounting.close_year(root, 2026).net_income == {"USD": -700_00}
    assert balance(bank, "32.02") == -700_00
    assert bank.accounting.balance_sheet(root, date(2026, 12, 31)).balanced

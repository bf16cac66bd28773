"""Financial statements computed live from the ledger on the default chart."""

from __future__ import annotations

from datetime import date

import pytest

from lana_core.accounting.chart import ChartOfAccounts
from lana_core.accounting.statements import Statements
from tests.sample_books import DEMO_PERIOD, load_sample_books
from lana_core.errors import InvalidInput
from lana_core.ledger import Layer
from lana_core.money import Currency


@pytest.fixture
def demo_bank(db):
    load_sample_books(db)
    return db


def statements(db):
    uow = db.unit_of_work().__enter__()
    return uow, Statements(uow.ledger, ChartOfAccounts(uow.ledger).load())


def test_the_trial_balance_foots_in_every_currency_and_layer(demo_bank):
    uow, st = statements(demo_bank)
    for currency in Currency:
        for layer in Layer:
            tb = st.trial_balance(*DEMO_PERIOD, currency, layer)
            assert tb.totals.balanced, (currency, layer)
    uow.__exit__(None, None, None)


def test_trial_balance_lines_carry_opening_movements_and_closing(demo_bank):
    uow, st = statements(demo_bank)
    tb = st.trial_balance(date(2026, 1, 6), date(2026, 1, 20))
    line = {ln.code: ln for ln in tb.lines}["21.01.0102"]  # Acme's deposit, credit-normal
    assert (line.opening, line.debits, line.credits, line.closing) == (0, 35_00, 310_000_00, 309_965_00)
    alice = {ln.code: ln for ln in tb.lines}["21.01.0101"]
    assert alice.opening == 48_250_75 and alice.closing == 48_250_75
    for ln in tb.lines:
        signed = ln.debits - ln.credits if ln.normal_balance.value == "debit" else ln.credits - ln.debits
        assert ln.closing == ln.opening + signed, ln.code
    uow.__exit__(None, None, None)


def test_the_balance_sheet_equation_holds_on_every_day(demo_bank):
    uow, st = statements(demo_bank)
    for day in range(1, 32):
        bs = st.balance_sheet(date(2026, 1, day))
        assert bs.balanced, day
    bs = st.balance_sheet(date(2026, 1, 31))
    assert bs.assets.total == 2_844_850_75
    assert bs.liabilities.total == 418_956_15
    assert bs.equity.total == 2_500_000_00
    assert bs.current_earnings == -74_105_40
    uow.__exit__(None, None, None)


def test_profit_and_loss_nets_revenue_against_costs_including_corrections(demo_bank):
    uow, st = statements(demo_bank)
    pl = st.profit_and_loss(*DEMO_PERIOD)
    assert pl.revenue.total == 35_00
    assert pl.cost_of_revenue.total == 0
    # Rent 8,400 + salaries 64,000 + software 1,290.40 + the 450.00 correction (900 reversed).
    assert pl.expenses.total == 74_140_40
    assert pl.net_income == 35_00 - 74_140_40
    assert pl.net_income == st.balance_sheet(DEMO_PERIOD[1]).current_earnings
    later = st.profit_and_loss(date(2026, 1, 26), date(2026, 1, 31))
    assert later.expenses.total == 64_000_00 - 900_00  # payroll, and the reversal on the 26th
    uow.__exit__(None, None, None)


def test_the_pending_layer_has_its_own_statements(demo_bank):
    uow, st = statements(demo_bank)
    tb = st.trial_balance(*DEMO_PERIOD, Currency.USD, Layer.PENDING)
    lines = {ln.code: ln for ln in tb.lines}
    assert lines["21.01.0101"].closing == 5_000_00  # Alice's withdrawal awaiting approval
    assert lines["11.02"].closing == 5_000_00  # the bank leg waits on the pending layer too
    assert tb.totals.balanced
    uow.__exit__(None, None, None)


def test_a_period_that_ends_before_it_starts_is_refused(demo_bank):
    uow, st = statements(demo_bank)
    with pytest.raises(InvalidInput, match="starts"):
        st.trial_balance(date(2026, 2, 1), date(2026, 1, 1))
    uow.__exit__(None, None, None)

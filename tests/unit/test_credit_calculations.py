"""The numbers of credit, with LANA_DOMAIN's worked examples."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from lana_core.credit import calculations as calc
from lana_core.credit.calculations import Collateralization as C
from lana_core.credit.calculations import PendingCollateralization as P
from lana_core.credit.terms import DisbursalPolicy, Interval, TermValues
from lana_core.errors import InvalidInput

TERMS = TermValues(Decimal(12), 3, Interval.END_OF_DAY, Interval.END_OF_MONTH, Decimal(1), Decimal(140),
                   Decimal(125), Decimal(105), DisbursalPolicy.SINGLE, 50, 60, 90)
PRICE = 100_000_00  # $100,000 per bitcoin, in cents


def test_interest_is_principal_times_days_times_rate_over_365_rounded_up():
    assert calc.interest(100_00, 365, Decimal(12)) == 1_200          # $100, a year, 12 % -> $12.00
    assert calc.interest(1_000_00, 23, Decimal(12)) == 757           # $1,000, 23 days: 756.16 -> 757 cents
    assert calc.interest(1_000_00, 1, Decimal(12)) == 33             # 32.88 -> 33: any fraction rounds up
    assert calc.interest(1_000_00, 366, Decimal(12)) == 12_033       # actual/365 even in leap years
    assert calc.interest(0, 30, Decimal(12)) == 0


def test_daily_accruals_round_each_day_so_a_cycle_sums_them():
    daily = calc.interest(10_000_00, 1, Decimal(12))
    assert daily == 329  # 328.77 -> 329
    assert 17 * daily == 5_593 > calc.interest(10_000_00, 17, Decimal(12)) == 5_590


def test_the_structuring_fee_rounds_up_to_the_cent():
    assert calc.one_time_fee(10_00, Decimal("5.01")) == 51  # 5.01 % of $10.00 is $0.51
    assert calc.one_time_fee(10_000_00, Decimal(1)) == 100_00
    assert calc.one_time_fee(10_000_00, Decimal(0)) == 0


def test_collateral_value_rounds_down_and_satoshis_needed_round_up():
    assert calc.collateral_value_cents(1, PRICE) == 0               # a satoshi is 0.1 cent: down
    assert calc.collateral_value_cents(150_000_000, PRICE) == 150_000_00
    assert calc.cents_to_sats(1, PRICE) == 10                       # a cent is 10 sats
    assert calc.cents_to_sats(100_000_00, PRICE) == 100_000_000


def test_the_cvl_truncates_to_whole_percent():
    # 1 BTC at $130,999.99 against $100,000: 130.99999 % -> 130 %
    assert calc.cvl(100_000_000, 100_000_00, 130_999_99) == Decimal(130)
    assert calc.cvl(100_000_000, 100_000_00, 131_000_00) == Decimal(131)
    assert calc.cvl(0, 100_000_00, PRICE) == Decimal(0)
    assert calc.cvl(100_000_000, 0, PRICE) == calc.INFINITE


def test_required_collateral_is_the_initial_cvl_of_the_amount_at_the_price():
    # $10,000 at 140 % = $14,000 of bitcoin at $100,000 = 0.14 BTC
    assert calc.required_collateral_sats(10_000_00, Decimal(140), PRICE) == 14_000_000
    assert calc.required_collateral_sats(10_000_01, Decimal(140), PRICE) == 14_000_020  # 14,000.014 -> 14,000.02 -> sats


def test_the_liquidation_amount_restores_the_initial_cvl():
    # $100,000 owed, 1.2 BTC at $85,000 ($102,000): to be back at 140 %,
    # repay = (100,000 × 1.4 − 102,000) / 0.4 = $95,000.
    amounts = calc.liquidation_amounts(100_000_00, 120_000_000, 85_000_00, Decimal(140))
    assert amounts.repay_cents == 95_000_00
    assert amounts.sats == 111_764_706  # 95,000 / 85,000 BTC, rounded up
    after_value = calc.collateral_value_cents(120_000_000 - amounts.sats, 85_000_00)
    assert calc.cvl(120_000_000 - amounts.sats, 100_000_00 - amounts.repay_cents, 85_000_00) == Decimal(139)
    assert after_value * 100 // (100_000_00 - amounts.repay_cents) in (139, 140)
    assert calc.liquidation_amounts(100_000_00, 200_000_000, PRICE, Decimal(140)).repay_cents == 0


def test_collateralization_states_follow_the_thresholds():
    assert calc.collateralization(calc.INFINITE, TERMS, C.FULLY_COLLATERALIZED) is C.NO_EXPOSURE
    assert calc.collateralization(Decimal(0), TERMS, C.FULLY_COLLATERALIZED) is C.NO_COLLATERAL
    assert calc.collateralization(Decimal(125), TERMS, C.NO_COLLATERAL) is C.FULLY_COLLATERALIZED
    assert calc.collateralization(Decimal(124), TERMS, C.FULLY_COLLATERALIZED) is C.UNDER_MARGIN_CALL
    assert calc.collateralization(Decimal(105), TERMS, C.FULLY_COLLATERALIZED) is C.UNDER_MARGIN_CALL
    assert calc.collateralization(Decimal(104), TERMS, C.UNDER_MARGIN_CALL) is C.UNDER_LIQUIDATION


def test_leaving_the_margin_call_needs_five_points_of_buffer():
    assert calc.collateralization(Decimal(130), TERMS, C.UNDER_MARGIN_CALL) is C.UNDER_MARGIN_CALL
    assert calc.collateralization(Decimal(131), TERMS, C.UNDER_MARGIN_CALL) is C.FULLY_COLLATERALIZED
    # From under liquidation, every move is immediate, buffer or not.
    assert calc.collateralization(Decimal(126), TERMS, C.UNDER_LIQUIDATION) is C.FULLY_COLLATERALIZED


def test_a_pending_facility_is_ready_at_the_initial_cvl():
    assert calc.pending_collateralization(Decimal(0), TERMS) is P.NOT_YET_COLLATERALIZED
    assert calc.pending_collateralization(Decimal(139), TERMS) is P.UNDER_COLLATERALIZED
    assert calc.pending_collateralization(Decimal(140), TERMS) is P.FULLY_COLLATERALIZED


def test_payments_go_to_interest_before_principal_and_oldest_first():
    owed = [
        calc.Owed("principal-1", "disbursal", date(2026, 1, 15), 0, 10_000_00),
        calc.Owed("interest-feb", "interest", date(2026, 2, 28), 2, 90_00),
        calc.Owed("interest-jan", "interest", date(2026, 1, 31), 1, 55_93),
        calc.Owed("principal-2", "disbursal", date(2026, 2, 10), 3, 500_00),
        calc.Owed("paid", "interest", date(2026, 1, 1), 4, 0),
    ]
    assert calc.allocate(200_00, owed) == [("interest-jan", 55_93), ("interest-feb", 90_00), ("principal-1", 54_07)]
    assert calc.allocate(10_645_93, owed)[-1] == ("principal-2", 500_00)


def test_interest_cycles_end_at_month_end_and_never_at_or_after_maturity():
    assert calc.cycle_end(date(2026, 1, 15), Interval.END_OF_MONTH, date(2026, 4, 15)) == date(2026, 1, 31)
    assert calc.cycle_end(date(2026, 4, 1), Interval.END_OF_MONTH, date(2026, 4, 15)) == date(2026, 4, 14)
    assert calc.cycle_end(date(2026, 2, 1), Interval.END_OF_DAY, date(2026, 4, 15)) == date(2026, 2, 1)


# --- terms ---------------------------------------------------------------------------------


def test_valid_terms_know_their_term_maturity_and_effective_rate():
    assert not TERMS.long_term and dataclasses.replace(TERMS, duration_months=13).long_term
    assert TERMS.maturity_date(date(2026, 1, 31)) == date(2026, 4, 30)  # clamped to the month's end
    assert TERMS.maturity_date(date(2026, 11, 15)) == date(2027, 2, 15)
    assert TERMS.effective_annual_rate == Decimal(16)  # 12 + 1 × 12 / 3


@pytest.mark.parametrize(("change", "rule"), [
    ({"initial_cvl": Decimal(125)}, "the initial CVL (125) must be above the margin-call CVL (125)"),
    ({"margin_call_cvl": Decimal(100)}, "the margin-call CVL (100) must be above the liquidation CVL (105)"),
    ({"liquidation_cvl": Decimal(0), "margin_call_cvl": Decimal(1)}, "the liquidation CVL must be positive"),
    ({"annual_rate": Decimal(-1)}, "the annual rate must be between 0 and 100"),
    ({"duration_months": 0}, "the duration must be 1 to 600 months"),
    ({"one_time_fee_rate": Decimal(100)}, "the one-time fee must be at least 0 and below 100"),
    ({"liquidation_days": 40}, "the liquidation period (40 days) must be longer than the overdue period (50 days)"),
    ({"overdue_days": -1}, "the overdue period cannot be negative"),
    ({"accrual_interval": Interval.END_OF_MONTH, "accrual_cycle_interval": Interval.END_OF_DAY},
     "interest cannot accrue monthly inside daily cycles"),
])
def test_invalid_terms_are_refused_with_the_rule_they_break(change, rule):
    bad = dataclasses.replace(TERMS, **change)
    with pytest.raises(InvalidInput, match="invalid terms") as caught:
        bad.check()
    assert rule in str(caught.value)

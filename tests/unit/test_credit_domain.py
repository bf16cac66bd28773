"""The credit aggregates without a database: the facility's lifecycle and collateralization,
obligations ageing with the calendar, interest cycles, disbursals and liquidations."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import uuid4

import pytest

from lana_core.credit.calculations import Collateralization, PendingCollateralization
from lana_core.credit.disbursal import Disbursal, DisbursalStatus
from lana_core.credit.facility import (
    CollateralSource,
    CreditError,
    CreditFacility,
    FacilityStatus,
)
from lana_core.credit.interest import Accrual, CycleStatus, InterestAccrualCycle
from lana_core.credit.liquidation import Liquidation
from lana_core.credit.obligation import Obligation, ObligationKind, ObligationStatus
from lana_core.customer.domain import CustomerType
from lana_core.errors import InvalidInput
from tests.integration.credit_support import TERMS, terms
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly, refused

PRICE = 60_000_00
ACTIVATED = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)


def proposal(**changes) -> CreditFacility:
    return CreditFacility.propose(uuid4(), uuid4(), CustomerType.INDIVIDUAL, uuid4(), 10_000_00, terms(**changes))


def approved(**changes) -> CreditFacility:
    facility = proposal(**changes)
    facility.customer_accepts(uuid4())
    facility.approve(uuid4(), None)
    return facility


def active() -> CreditFacility:
    facility = approved()
    facility.update_collateral(25_000_000, CollateralSource.MANUAL, uuid4())
    facility.evaluate(Decimal(150), PRICE, 10_000_00)
    facility.activate(ACTIVATED, 100_00, (uuid4(),))
    facility.evaluate(Decimal(150), PRICE, 10_000_00)
    return facility


def test_a_proposal_goes_through_the_customer_then_governance():
    facility = proposal()
    assert facility.status is FacilityStatus.PENDING_CUSTOMER_APPROVAL
    with refused(facility, CreditError, "cannot be approved"):
        facility.approve(uuid4(), None)
    facility.customer_accepts(uuid4())
    with refused(facility, CreditError, "cannot be accepted by the customer"):
        facility.customer_accepts(uuid4())
    facility.approve(uuid4(), None)
    assert facility.status is FacilityStatus.PENDING_COLLATERALIZATION
    assert_rehydrates(facility)


def test_a_declined_or_denied_proposal_holds_no_collateral():
    declined = proposal()
    declined.customer_declines()
    assert declined.status is FacilityStatus.CUSTOMER_DENIED
    denied = proposal()
    denied.customer_accepts(uuid4())
    denied.deny("too risky")
    for facility in (declined, denied):
        with refused(facility, CreditError, "holds no collateral"):
            facility.update_collateral(1, CollateralSource.MANUAL, None)
        assert_rehydrates(facility)


def test_bad_proposals_are_refused():
    with raises_exactly(InvalidInput, "positive whole number"):
        CreditFacility.propose(uuid4(), uuid4(), CustomerType.INDIVIDUAL, uuid4(), 0, TERMS)
    with raises_exactly(InvalidInput, "positive whole number"):
        CreditFacility.propose(uuid4(), uuid4(), CustomerType.INDIVIDUAL, uuid4(), 10.0, TERMS)  # type: ignore[arg-type]
    with raises_exactly(InvalidInput, "margin-call CVL (105) must be above the liquidation CVL (105)"):
        proposal(margin_call_cvl=Decimal(105))


def test_a_pending_facility_activates_only_at_the_initial_cvl():
    facility = approved()
    facility.update_collateral(20_000_000, CollateralSource.MANUAL, uuid4())
    assert facility.evaluate(Decimal(120), PRICE, 10_000_00)
    assert facility.state == PendingCollateralization.UNDER_COLLATERALIZED and not facility.ready_to_activate
    with refused(facility, CreditError, "initial CVL of 140"):
        facility.activate(ACTIVATED, 100_00, ())
    assert facility.evaluate(Decimal(140), PRICE, 10_000_00)
    facility.activate(ACTIVATED, 100_00, ())
    assert (facility.status, facility.activation_date, facility.maturity_date) == (
        FacilityStatus.ACTIVE, date(2026, 3, 2), date(2026, 6, 2))
    assert_rehydrates(facility)


def test_an_unchanged_state_records_nothing():
    facility = active()
    version = facility.version
    assert not facility.evaluate(Decimal(149), PRICE, 10_000_00)
    assert facility.version == version


@pytest.mark.parametrize(("cvls", "final"), [
    ((120,), Collateralization.UNDER_MARGIN_CALL),
    ((120, 130), Collateralization.UNDER_MARGIN_CALL),       # 130 is not above 125 + 5
    ((120, 131), Collateralization.FULLY_COLLATERALIZED),
    ((100,), Collateralization.UNDER_LIQUIDATION),
    ((100, 126), Collateralization.FULLY_COLLATERALIZED),    # out of liquidation: at once
    ((100, 110), Collateralization.UNDER_MARGIN_CALL),
])
def test_collateralization_moves_down_at_once_and_up_past_a_buffer(cvls, final):
    facility = active()
    for value in cvls:
        facility.evaluate(Decimal(value), PRICE, 10_000_00)
    assert facility.state == final
    assert_rehydrates(facility)


def test_single_disbursal_facilities_and_matured_ones_take_no_disbursal():
    facility = active()
    with refused(facility, CreditError, "single disbursal"):
        facility.check_disbursal(date(2026, 3, 3))
    multiple = approved(disbursal_policy="multiple")
    multiple.update_collateral(25_000_000, CollateralSource.MANUAL, None)
    multiple.evaluate(Decimal(150), PRICE, 10_000_00)
    multiple.activate(ACTIVATED, 0, ())
    multiple.check_disbursal(date(2026, 6, 1))
    with refused(multiple, CreditError, "matures on 2026-06-02"):
        multiple.check_disbursal(date(2026, 6, 2))


def test_one_liquidation_at_a_time_and_none_open_at_closing():
    facility = active()
    first = uuid4()
    facility.start_liquidation(first)
    with refused(facility, CreditError, "already in progress"):
        facility.start_liquidation(uuid4())
    with refused(facility, CreditError, "liquidation of this facility is in progress"):
        facility.close(date(2026, 4, 1))
    facility.end_liquidation()
    facility.close(date(2026, 4, 1))
    assert facility.status is FacilityStatus.CLOSED and facility.state == Collateralization.NO_COLLATERAL
    assert_rehydrates(facility)


# --- obligations ------------------------------------------------------------------------


def obligation(**changes) -> Obligation:
    return Obligation.create(uuid4(), uuid4(), ObligationKind.INTEREST, 9_870, "interest March",
                             date(2026, 3, 31), date(2026, 3, 31),
                             terms(**{"overdue_days": 5, "liquidation_days": 10, "default_days": 20, **changes}))


def test_an_obligation_reaches_each_status_on_its_date_in_order():
    o = obligation()
    assert (o.overdue_date, o.liquidation_date, o.default_date) == (date(2026, 4, 5), date(2026, 4, 10),
                                                                    date(2026, 4, 20))
    assert o.transitions_through(date(2026, 3, 30)) == []
    assert o.transitions_through(date(2026, 4, 12)) == [
        (ObligationStatus.DUE, date(2026, 3, 31)),
        (ObligationStatus.OVERDUE, date(2026, 4, 5)),
        (ObligationStatus.LIQUIDATION, date(2026, 4, 10)),
    ]
    for status, on in o.transitions_through(date(2026, 4, 12)):
        o.move_to(status, on, uuid4())
    with refused(o, CreditError, "already liquidation"):
        o.move_to(ObligationStatus.OVERDUE, date(2026, 4, 12), None)
    assert o.transitions_through(date(2026, 4, 20)) == [(ObligationStatus.DEFAULTED, date(2026, 4, 20))]
    assert_rehydrates(o)


def test_without_a_default_period_an_obligation_never_defaults():
    o = obligation(default_days=None)
    assert [s for s, _ in o.transitions_through(date(2036, 1, 1))] == [
        ObligationStatus.DUE, ObligationStatus.OVERDUE, ObligationStatus.LIQUIDATION]


def test_payments_reduce_an_obligation_until_it_is_paid():
    o = obligation()
    o.move_to(ObligationStatus.DUE, date(2026, 3, 31), None)
    with refused(o, CreditError, "9870 cents outstanding, not 9871"):
        o.apply_payment(uuid4(), 9_871, uuid4(), date(2026, 4, 1))
    o.apply_payment(uuid4(), 9_000, uuid4(), date(2026, 4, 1))
    assert (o.outstanding, o.status) == (870, ObligationStatus.DUE)
    o.apply_payment(uuid4(), 870, uuid4(), date(2026, 4, 2))
    assert (o.status, o.paid_on, o.receivable_status) == (ObligationStatus.PAID, date(2026, 4, 2),
                                                          ObligationStatus.DUE)
    assert o.transitions_through(date(2027, 1, 1)) == []
    with refused(o, CreditError, "is paid"):
        o.move_to(ObligationStatus.OVERDUE, date(2026, 4, 5), None)
    assert_rehydrates(o)


# --- interest cycles, disbursals, liquidations ------------------------------------------


def test_a_cycle_accrues_each_day_once_in_order_then_completes():
    cycle = InterestAccrualCycle.start_cycle(uuid4(), uuid4(), 1, date(2026, 3, 2), date(2026, 3, 4))
    cycle.accrue(Accrual(date(2026, 3, 2), 1, 10_000_00, 329, uuid4()))
    with refused(cycle, CreditError, "accrues from 2026-03-03 next, not 2026-03-04"):
        cycle.accrue(Accrual(date(2026, 3, 4), 1, 10_000_00, 329, uuid4()))
    with refused(cycle, CreditError, "still has days to accrue from 2026-03-03"):
        cycle.complete(None, None)
    cycle.accrue(Accrual(date(2026, 3, 4), 2, 10_000_00, 658, uuid4()))  # two days at once (catch-up)
    assert (cycle.next_day, cycle.accrued) == (None, 987)
    cycle.complete(uuid4(), uuid4())
    assert (cycle.status, cycle.total) == (CycleStatus.COMPLETED, 987)
    with refused(cycle, CreditError, "is completed"):
        cycle.accrue(Accrual(date(2026, 3, 5), 1, 10_000_00, 329, uuid4()))
    assert_rehydrates(cycle)


def test_a_disbursal_is_confirmed_or_cancelled_once():
    disbursal = Disbursal.initiate(uuid4(), uuid4(), 6_000_00, uuid4(), uuid4())
    disbursal.confirm(uuid4(), date(2026, 3, 3), uuid4())
    assert disbursal.status is DisbursalStatus.CONFIRMED
    with refused(disbursal, CreditError, "cannot be cancelled"):
        disbursal.cancel("late", uuid4())
    assert_rehydrates(disbursal)


def test_a_liquidation_sends_collateral_then_receives_proceeds():
    liquidation = Liquidation.initiate(uuid4(), uuid4(), 41_000_00, Decimal(102), 10_000_00, 937_500, 22_865_854)
    with refused(liquidation, CreditError, "collateral"):
        liquidation.proceeds_received(900_000, None, uuid4())
    liquidation.collateral_sent(22_865_854, uuid4())
    with refused(liquidation, CreditError, "already sent"):
        liquidation.collateral_sent(1, uuid4())
    liquidation.proceeds_received(930_000, None, uuid4())
    assert (liquidation.sats_sent, liquidation.proceeds) == (22_865_854, 930_000)
    assert_rehydrates(liquidation)

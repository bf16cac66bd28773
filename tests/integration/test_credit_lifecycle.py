"""Credit facilities on real PostgreSQL, day by day: proposal to closing, interest, payments,
the price moving the CVL, liquidation, obligations ageing, governance, and every refusal."""

from __future__ import annotations

from datetime import date

import pytest

from lana_core.credit.calculations import Collateralization, PendingCollateralization
from lana_core.credit.disbursal import DisbursalStatus
from lana_core.credit.facility import CreditError, FacilityStatus
from lana_core.credit.interest import CycleStatus
from lana_core.credit.obligation import ObligationKind, ObligationStatus
from lana_core.credit.terms import DisbursalPolicy
from lana_core.errors import InvalidInput, LanaError
from lana_core.governance.domain import ProcessType
from lana_core.jobs import end_of_day
from tests.integration.conftest import funded_account, snapshot
from tests.integration.credit_support import (
    PRICE,
    active_facility,
    check_books,
    close_days,
    morning_of,
    set_price,
    terms,
)

DAILY = 329  # $10,000 at 12 %: 1,000,000 × 12 / 36,500 = 328.77 cents a day, rounded up


@pytest.fixture
def priced(bank, root):
    set_price(bank, root, PRICE)
    return bank


@pytest.fixture
def borrower(priced, root):
    customer, account = funded_account(priced, root, 5_000_00)
    return customer, account


def balance(app, root, account_id) -> int:
    return app.deposits.balance(root, account_id).settled


def by_kind(obligations, kind):
    return sorted((o for o in obligations if o.kind is kind), key=lambda o: o.due_date)


def test_a_facility_from_proposal_to_closing(priced, root, clock, borrower):
    customer, account = borrower
    facility = priced.credit.propose(root, customer.id, 10_000_00, terms=terms())
    assert facility.status is FacilityStatus.PENDING_CUSTOMER_APPROVAL
    priced.credit.record_customer_decision(root, facility.id, accepted=True)
    priced.run_consumers()
    facility = priced.credit.facility(root, facility.id)
    assert facility.status is FacilityStatus.PENDING_COLLATERALIZATION  # governance auto-approved

    priced.credit.update_collateral(root, facility.id, 20_000_000)  # $12,000: 120 %, under the 140 %
    facility = priced.credit.facility(root, facility.id)
    assert (facility.status, facility.state) == (FacilityStatus.PENDING_COLLATERALIZATION,
                                                 PendingCollateralization.UNDER_COLLATERALIZED)
    priced.credit.update_collateral(root, facility.id, 25_000_000)  # $15,000: 150 %
    facility = priced.credit.facility(root, facility.id)
    assert facility.status is FacilityStatus.ACTIVE
    assert (facility.activation_date, facility.maturity_date) == (date(2026, 3, 2), date(2026, 6, 2))
    assert facility.structuring_fee == 100_00
    assert facility.state == Collateralization.FULLY_COLLATERALIZED
    # The whole amount paid out, the 1 % fee taken: 5,000 + 10,000 - 100.
    assert balance(priced, root, account.id) == 14_900_00
    check_books(priced, facility.id)

    close_days(priced, clock, date(2026, 3, 2), date(2026, 3, 31))
    cycles = priced.credit.interest_cycles(root, facility.id)
    assert [c.status for c in cycles] == [CycleStatus.COMPLETED, CycleStatus.ACCRUING]
    assert (cycles[0].start, cycles[0].end, cycles[0].accrued) == (date(2026, 3, 2), date(2026, 3, 31), 30 * DAILY)
    [interest] = by_kind(priced.credit.obligations(root, facility.id), ObligationKind.INTEREST)
    assert (interest.amount, interest.due_date, interest.status) == (30 * DAILY, date(2026, 3, 31),
                                                                      ObligationStatus.DUE)
    check_books(priced, facility.id)

    morning_of(clock, date(2026, 4, 1))
    payment = priced.credit.record_payment(root, facility.id, 30 * DAILY)
    assert [(a.kind, a.amount) for a in payment.allocations] == [("interest", 30 * DAILY)]

    close_days(priced, clock, date(2026, 4, 1), date(2026, 6, 2))
    facility = priced.credit.facility(root, facility.id)
    assert facility.status is FacilityStatus.MATURED
    cycles = priced.credit.interest_cycles(root, facility.id)
    # April (30 days), May (31), and June 1st: the last cycle ends the day before maturity.
    assert [(c.start, c.end, c.accrued) for c in cycles[1:]] == [
        (date(2026, 4, 1), date(2026, 4, 30), 30 * DAILY),
        (date(2026, 5, 1), date(2026, 5, 31), 31 * DAILY),
        (date(2026, 6, 1), date(2026, 6, 1), DAILY),
    ]
    obligations = priced.credit.obligations(root, facility.id)
    [principal] = by_kind(obligations, ObligationKind.DISBURSAL)
    assert (principal.due_date, principal.status) == (date(2026, 6, 2), ObligationStatus.DUE)
    owed = 10_000_00 + 62 * DAILY
    balances = priced.credit.balances(root, facility.id)
    assert balances.total_outstanding == owed and balances.accrued_interest == 0
    check_books(priced, facility.id)

    morning_of(clock, date(2026, 6, 3))
    with pytest.raises(CreditError, match="still owed"):
        priced.credit.complete(root, facility.id)
    payment = priced.credit.record_payment(root, facility.id, owed)
    # Interest first, oldest first, then principal.
    assert [a.kind for a in payment.allocations] == ["interest", "interest", "interest", "disbursal"]
    closed = priced.credit.complete(root, facility.id)
    assert closed.status is FacilityStatus.CLOSED and closed.collateral_sats == 0
    balances = priced.credit.balances(root, facility.id)
    assert (balances.total_outstanding, balances.undrawn, balances.uncovered, balances.collateral_sats) == (0, 0, 0, 0)
    assert all(o.status is ObligationStatus.PAID for o in priced.credit.obligations(root, facility.id))
    # The customer paid the interest and the principal back out of their account.
    assert balance(priced, root, account.id) == 14_900_00 - 92 * DAILY - 10_000_00
    check_books(priced, facility.id)
    trial_balance = priced.accounting.trial_balance(root, date(2026, 1, 1), date(2026, 6, 30))
    assert trial_balance.totals.balanced
    lines = {line.code: line for line in trial_balance.lines}
    assert (lines["41.01"].closing, lines["42.01"].closing) == (92 * DAILY, 100_00)


def test_end_of_day_is_idempotent_and_catches_up_missed_days(priced, root, clock, borrower):
    customer, _ = borrower
    facility = active_facility(priced, root, customer.id)
    close_days(priced, clock, date(2026, 3, 2), date(2026, 3, 2))
    before = snapshot(priced)
    again = end_of_day(priced, date(2026, 3, 2), fetch_price=False)
    assert (again.credit.accruals, again.credit.cycles_completed, again.credit.obligation_changes) == (0, 0, 0)
    assert snapshot(priced) == before

    # Nobody ran the job from the 3rd to the 9th: the run for the 10th accrues all eight days.
    morning_of(clock, date(2026, 3, 11))
    report = end_of_day(priced, date(2026, 3, 10), fetch_price=False)
    assert report.credit.accruals == 8
    [cycle] = priced.credit.interest_cycles(root, facility.id)
    assert (cycle.accrual_count, cycle.accrued_through) == (9, date(2026, 3, 10))
    assert cycle.accrued == 9 * DAILY == priced.credit.balances(root, facility.id).accrued_interest
    check_books(priced, facility.id)


def test_the_price_moves_the_cvl_with_hysteresis_then_a_liquidation_pays_the_debt_down(priced, root, borrower):
    customer, account = borrower
    facility = active_facility(priced, root, customer.id)  # 0.25 BTC against $10,000

    def state_at(price):
        set_price(priced, root, price)
        return priced.credit.facility(root, facility.id).state

    assert state_at(50_000_00) == Collateralization.FULLY_COLLATERALIZED  # 125 %: at the margin call
    assert state_at(48_000_00) == Collateralization.UNDER_MARGIN_CALL     # 120 %
    assert state_at(52_000_00) == Collateralization.UNDER_MARGIN_CALL     # 130 %: not above 125 + 5
    assert state_at(52_400_00) == Collateralization.FULLY_COLLATERALIZED  # 131 %
    assert state_at(42_000_00) == Collateralization.UNDER_MARGIN_CALL     # 105 %: at the liquidation line
    assert priced.credit.liquidations(root, facility.id) == []

    assert state_at(41_000_00) == Collateralization.UNDER_LIQUIDATION     # 102 %
    [liquidation] = priced.credit.liquidations(root, facility.id)
    # Selling collateral worth repay restores 140 %: (1,000,000 × 1.4 - 1,025,000) / 0.4.
    assert liquidation.expected_proceeds == 937_500
    assert liquidation.sats_to_sell == 22_865_854  # 937,500 cents at $41,000, rounded up
    set_price(priced, root, 40_000_00)  # still under: no second liquidation while one runs
    assert len(priced.credit.liquidations(root, facility.id)) == 1

    with pytest.raises(CreditError, match="holds 25000000 sats"):
        priced.credit.record_collateral_sent(root, liquidation.id, 30_000_000)
    priced.credit.record_collateral_sent(root, liquidation.id, 22_865_854)
    assert priced.credit.facility(root, facility.id).collateral_sats == 25_000_000 - 22_865_854
    priced.credit.record_proceeds(root, liquidation.id, 930_000_00 // 100)  # sold for $9,300
    facility = priced.credit.facility(root, facility.id)
    assert facility.liquidation_id is None
    [payment] = priced.credit.payments(root, facility.id)
    assert (payment.amount, payment.source) == (930_000, "liquidation")
    balances = priced.credit.balances(root, facility.id)
    assert balances.principal["not_yet_due"] == 70_000
    # The sale fell short of the plan and the price is now $40,000: 2,134,146 sats are $853.65
    # against $700, 121 %: out of liquidation, still under the margin call.
    assert facility.state == Collateralization.UNDER_MARGIN_CALL
    assert balance(priced, root, account.id) == 14_900_00  # nothing came from the customer's account
    check_books(priced, facility.id)


def test_proceeds_beyond_the_debt_go_back_to_the_customer(priced, root, borrower):
    customer, account = borrower
    facility = active_facility(priced, root, customer.id)
    set_price(priced, root, 41_000_00)
    [liquidation] = priced.credit.liquidations(root, facility.id)
    priced.credit.record_collateral_sent(root, liquidation.id, 25_000_000)
    priced.credit.record_proceeds(root, liquidation.id, 10_250_00)
    balances = priced.credit.balances(root, facility.id)
    assert balances.total_outstanding == 0
    assert balance(priced, root, account.id) == 14_900_00 + 250_00
    facility = priced.credit.facility(root, facility.id)
    assert facility.state == Collateralization.NO_EXPOSURE
    check_books(priced, facility.id)
    closed = priced.credit.complete(root, facility.id)
    assert closed.status is FacilityStatus.CLOSED


def test_unpaid_obligations_age_to_overdue_and_default(priced, root, clock, borrower):
    customer, _ = borrower
    values = terms(duration_months=1, overdue_days=5, liquidation_days=10, default_days=20)
    facility = active_facility(priced, root, customer.id, values=values)
    assert facility.maturity_date == date(2026, 4, 2)

    close_days(priced, clock, date(2026, 3, 2), date(2026, 4, 5))
    obligations = priced.credit.obligations(root, facility.id)
    march, april = by_kind(obligations, ObligationKind.INTEREST)
    [principal] = by_kind(obligations, ObligationKind.DISBURSAL)
    assert (march.amount, march.due_date, march.status) == (30 * DAILY, date(2026, 3, 31), ObligationStatus.OVERDUE)
    assert (april.amount, april.status) == (DAILY, ObligationStatus.DUE)  # overdue on the 6th
    assert principal.status is ObligationStatus.DUE
    check_books(priced, facility.id)

    close_days(priced, clock, date(2026, 4, 6), date(2026, 4, 20))
    obligations = priced.credit.obligations(root, facility.id)
    march, april = by_kind(obligations, ObligationKind.INTEREST)
    [principal] = by_kind(obligations, ObligationKind.DISBURSAL)
    assert march.status is ObligationStatus.DEFAULTED          # due + 20 = April 20
    assert april.status is ObligationStatus.LIQUIDATION        # due + 10 = April 11, defaults the 21st
    assert principal.status is ObligationStatus.LIQUIDATION    # due + 10 = April 12, defaults the 22nd
    balances = priced.credit.balances(root, facility.id)
    assert balances.interest == {"not_yet_due": 0, "due": 0, "overdue": DAILY, "defaulted": 30 * DAILY}
    assert balances.principal["overdue"] == 10_000_00
    # Defaulted amounts leave the CVL's denominator.
    assert balances.total_outstanding == 10_000_00 + DAILY
    check_books(priced, facility.id)

    # A payment still settles a defaulted obligation (oldest interest first).
    morning_of(clock, date(2026, 4, 21))
    payment = priced.credit.record_payment(root, facility.id, 30 * DAILY + 10)
    assert [(a.obligation_id, a.amount) for a in payment.allocations] == [(march.id, 30 * DAILY), (april.id, 10)]
    check_books(priced, facility.id)


def test_multiple_disbursals_through_a_committee(priced, root, borrower):
    customer, account = borrower
    for name in ("ana", "ben"):
        priced.access.create_user(root, f"{name}@bank.example", roles=["bank-manager"])
    priced.governance.create_committee(root, "Credit Committee", ["ana@bank.example", "ben@bank.example"])
    priced.governance.require_committee(root, ProcessType.CREDIT_FACILITY_PROPOSAL, "Credit Committee", 2)
    priced.governance.require_committee(root, ProcessType.DISBURSAL, "Credit Committee", 1)
    ana, ben = priced.actor("ana@bank.example"), priced.actor("ben@bank.example")

    values = terms(disbursal_policy=DisbursalPolicy.MULTIPLE)
    facility = priced.credit.propose(root, customer.id, 10_000_00, terms=values)
    facility = priced.credit.record_customer_decision(root, facility.id, accepted=True)
    priced.governance.approve(ana, facility.approval_process_id)
    priced.run_consumers()
    assert priced.credit.facility(root, facility.id).status is FacilityStatus.PENDING_APPROVAL
    priced.governance.approve(ben, facility.approval_process_id)
    priced.run_consumers()
    priced.credit.update_collateral(root, facility.id, 25_000_000)
    facility = priced.credit.facility(root, facility.id)
    assert facility.status is FacilityStatus.ACTIVE
    # Only the fee is drawn at activation, and charged straight back: the account is unchanged.
    assert balance(priced, root, account.id) == 5_000_00
    assert priced.credit.balances(root, facility.id).principal["not_yet_due"] == 100_00

    disbursal = priced.credit.initiate_disbursal(root, facility.id, 6_000_00)
    assert disbursal.status is DisbursalStatus.PENDING_APPROVAL
    balances = priced.credit.balances(root, facility.id)
    assert (balances.undrawn, balances.principal["not_yet_due"]) == (10_000_00 - 100_00 - 6_000_00, 100_00)
    # Nobody owes a disbursal before it is paid out.
    with pytest.raises(CreditError, match="exceeds what is owed now"):
        priced.credit.record_payment(root, facility.id, 200_00)
    priced.governance.approve(ana, disbursal.approval_process_id)
    priced.run_consumers()
    [first_disbursal, initial] = sorted(priced.credit.disbursals(root, facility.id), key=lambda d: d.amount,
                                        reverse=True)
    assert first_disbursal.status is DisbursalStatus.CONFIRMED and initial.amount == 100_00
    assert balance(priced, root, account.id) == 11_000_00

    denied = priced.credit.initiate_disbursal(root, facility.id, 2_000_00)
    priced.governance.deny(ben, denied.approval_process_id, "enough for now")
    priced.run_consumers()
    balances = priced.credit.balances(root, facility.id)
    assert balances.undrawn == 3_900_00 and balances.principal["not_yet_due"] == 6_100_00
    assert [d.status for d in priced.credit.disbursals(root, facility.id) if d.id == denied.id] == [
        DisbursalStatus.CANCELLED]
    check_books(priced, facility.id)


def test_a_suspended_customer_is_frozen_and_cannot_borrow(priced, root, clock):
    customer, account = funded_account(priced, root, 100_00)
    morning_of(clock, date(2027, 3, 3))
    report = end_of_day(priced, date(2027, 3, 2), fetch_price=False)
    assert report.activity == {"inactive": 1}
    assert priced.customers.get(root, customer.id).activity == "inactive"
    morning_of(clock, date(2036, 3, 3))
    report = end_of_day(priced, date(2036, 3, 2), fetch_price=False)
    assert report.activity == {"suspended": 1}
    priced.run_consumers()
    assert priced.deposits.account(root, account.id).status == "frozen"
    with pytest.raises(LanaError):
        priced.credit.propose(root, customer.id, 10_000_00, terms=terms())


# --- refusals ---------------------------------------------------------------------------


@pytest.fixture
def live(priced, root, borrower):
    customer, _ = borrower
    return active_facility(priced, root, customer.id)


REFUSALS = {
    "overpayment": (lambda app, root, f: app.credit.record_payment(root, f.id, 10_000_01), CreditError,
                    "exceeds what is owed"),
    "payment of nothing": (lambda app, root, f: app.credit.record_payment(root, f.id, 0), InvalidInput,
                           "positive"),
    "payment in float": (lambda app, root, f: app.credit.record_payment(root, f.id, 10.5), InvalidInput,
                         "cents"),
    "disbursal from a single-disbursal facility": (
        lambda app, root, f: app.credit.initiate_disbursal(root, f.id, 100), CreditError, "single disbursal"),
    "collateral taken below the margin call": (
        lambda app, root, f: app.credit.update_collateral(root, f.id, 20_000_000), CreditError, "margin call"),
    "negative collateral": (lambda app, root, f: app.credit.update_collateral(root, f.id, -1), InvalidInput,
                            "non-negative"),
    "closing with debt": (lambda app, root, f: app.credit.complete(root, f.id), CreditError, "still owed"),
    "invalid terms": (lambda app, root, f: app.credit.propose(
        root, f.customer_id, 1_000_00, terms=terms(margin_call_cvl=150)), InvalidInput, "initial CVL"),
    "proposal of nothing": (lambda app, root, f: app.credit.propose(root, f.customer_id, 0, terms=terms()),
                            InvalidInput, "positive"),
    "second customer decision": (
        lambda app, root, f: app.credit.record_customer_decision(root, f.id, accepted=True), CreditError,
        "is active"),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_refused_credit_operations_leave_no_trace(priced, root, live, name):
    operation, error, message = REFUSALS[name]
    before = snapshot(priced)
    with pytest.raises(error, match=message):
        operation(priced, root, live)
    assert snapshot(priced) == before


def test_disbursals_beyond_the_limit_or_the_margin_call_are_refused(priced, root, borrower):
    customer, _ = borrower
    facility = active_facility(priced, root, customer.id, sats=40_000_000,  # $24,000
                               values=terms(disbursal_policy=DisbursalPolicy.MULTIPLE))
    before = snapshot(priced)
    with pytest.raises(CreditError, match="left to draw"):
        priced.credit.initiate_disbursal(root, facility.id, 9_900_01)  # the fee drew 100 already
    assert snapshot(priced) == before
    set_price(priced, root, 20_000_00)  # $8,000 of collateral against the $100 fee
    before = snapshot(priced)
    with pytest.raises(CreditError, match="under the margin call"):
        priced.credit.initiate_disbursal(root, facility.id, 6_500_00)  # 8,000 / 6,600 = 121 %
    assert snapshot(priced) == before
    assert priced.credit.initiate_disbursal(root, facility.id, 6_000_00).amount == 6_000_00  # 131 %


def test_declined_and_denied_proposals_end_there(priced, root, borrower):
    customer, _ = borrower
    declined = priced.credit.propose(root, customer.id, 1_000_00, terms=terms())
    before = snapshot(priced)
    with pytest.raises(CreditError, match="holds no collateral"):
        priced.credit.update_collateral(root, declined.id, 1_000_000)  # not approved yet
    assert snapshot(priced) == before
    declined = priced.credit.record_customer_decision(root, declined.id, accepted=False)
    assert declined.status is FacilityStatus.CUSTOMER_DENIED

    priced.access.create_user(root, "ana@bank.example", roles=["bank-manager"])
    priced.governance.create_committee(root, "Credit Committee", ["ana@bank.example"])
    priced.governance.require_committee(root, ProcessType.CREDIT_FACILITY_PROPOSAL, "Credit Committee", 1)
    denied = priced.credit.record_customer_decision(
        root, priced.credit.propose(root, customer.id, 1_000_00, terms=terms()).id, accepted=True)
    priced.governance.deny(priced.actor("ana@bank.example"), denied.approval_process_id, "too risky")
    priced.run_consumers()
    assert priced.credit.facility(root, denied.id).status is FacilityStatus.DENIED
    with pytest.raises(CreditError, match="denied"):
        priced.credit.update_collateral(root, denied.id, 1_000_000)
    with priced.db.unit_of_work() as uow:  # neither opened any ledger account
        assert uow.ledger.find_account(f"CREDIT.{denied.id}.FACILITY") is None

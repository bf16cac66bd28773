"""What credit tests share: standard terms, a bitcoin price set by hand, a facility brought to
life, days closed one by one, and the check that the books and the entities agree."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from lana_core.access.domain import Actor
from lana_core.app import Lana
from lana_core.clock import FixedClock
from lana_core.credit import ledger as cl
from lana_core.credit.facility import CreditFacility
from lana_core.credit.obligation import Obligation, ObligationStatus
from lana_core.credit.terms import DisbursalPolicy, Interval, TermValues
from lana_core.jobs import EndOfDayReport, end_of_day
from lana_core.ledger.invariants import check_ledger
from lana_core.money import Currency

# The seeds' usual terms: 12 % a year, 3 months, daily accrual billed monthly, 1 % fee,
# CVL 140 / 125 / 105, single disbursal, overdue 50 days and liquidation 60 days after due.
TERMS = TermValues(
    annual_rate=Decimal(12), duration_months=3, accrual_interval=Interval.END_OF_DAY,
    accrual_cycle_interval=Interval.END_OF_MONTH, one_time_fee_rate=Decimal(1), initial_cvl=Decimal(140),
    margin_call_cvl=Decimal(125), liquidation_cvl=Decimal(105), disbursal_policy=DisbursalPolicy.SINGLE,
    overdue_days=50, liquidation_days=60, default_days=None,
)
PRICE = 60_000_00  # cents per bitcoin


def terms(**changes) -> TermValues:
    return replace(TERMS, **changes)


def set_price(app: Lana, root: Actor, cents: int) -> None:
    """Publish ``cents`` per bitcoin through the manual provider (the only active one)."""
    providers = {p.name: p for p in app.prices.providers(root)}
    if providers["bitfinex"].active:
        app.prices.deactivate_provider(root, "bitfinex")
    app.prices.set_manual_price(root, "manual", cents)
    if not providers["manual"].active:
        app.prices.activate_provider(root, "manual")
    app.prices.fetch()
    app.run_consumers()


def active_facility(app: Lana, root: Actor, customer_id, amount: int = 10_000_00, sats: int = 25_000_000,
                    values: TermValues = TERMS) -> CreditFacility:
    """Propose, accept (auto-approved policy), post ``sats`` of collateral: 0.25 BTC at $60,000
    is 150 % of $10,000, so it activates."""
    facility = app.credit.propose(root, customer_id, amount, terms=values)
    app.credit.record_customer_decision(root, facility.id, accepted=True)
    runs = app.run_consumers()
    assert all(run.failed is None for run in runs), runs
    assert app.credit.facility(root, facility.id).status == "pending_collateralization"
    app.credit.update_collateral(root, facility.id, sats)
    app.run_consumers()
    return app.credit.facility(root, facility.id)


def close_days(app: Lana, clock: FixedClock, first: date, last: date) -> list[EndOfDayReport]:
    """Run the end of day for every day from ``first`` to ``last``, each just after midnight."""
    reports, day = [], first
    while day <= last:
        clock.set(datetime.combine(day + timedelta(days=1), time(0, 5), tzinfo=timezone.utc))
        report = end_of_day(app, day, fetch_price=False)
        assert report.failures == [], report.failures
        reports.append(report)
        day += timedelta(days=1)
    return reports


def morning_of(clock: FixedClock, day: date) -> None:
    clock.set(datetime.combine(day, time(9, 0), tzinfo=timezone.utc))


def check_books(app: Lana, facility_id) -> None:
    """The ledger's invariants hold, the balance sheet balances (assets = liabilities + equity +
    current earnings), and each obligation's outstanding sits in the receivable account of its
    status: per kind and status, the entities' sum equals the ledger's balance."""
    with app.db.unit_of_work() as uow:
        assert check_ledger(uow.conn) == []
        from lana_core.accounting.chart import ChartOfAccounts
        from lana_core.accounting.statements import Statements

        statements = Statements(uow.ledger, ChartOfAccounts(uow.ledger).load())
        for currency in (Currency.USD, Currency.BTC):
            sheet = statements.balance_sheet(date(2100, 1, 1), currency)
            assert sheet.balanced, (currency, sheet.assets.total, sheet.total_liabilities_and_equity)
        facility = uow.events.load(CreditFacility, facility_id)
        obligations = uow.events.find_all(Obligation, "state->>'facility_id' = %s", (str(facility_id),))
        expected: dict[str, int] = {}
        for o in obligations:
            if o.status is not ObligationStatus.PAID:
                code = cl.receivable(facility.id, o.kind, o.status)
                expected[code] = expected.get(code, 0) + o.outstanding
        for kind in ("disbursal", "interest"):
            for status in ("not_yet_due", "due", "overdue", "defaulted"):
                code = cl.receivable(facility.id, kind, status)
                account = uow.ledger.find_account(code)
                settled = uow.ledger.balance(code, Currency.USD).amount() if account else 0
                assert settled == expected.get(code, 0), (code, settled, expected.get(code, 0))

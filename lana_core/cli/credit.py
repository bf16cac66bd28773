"""``lana credit``: terms templates, facilities from proposal to completion, disbursals,
payments, collateral and liquidations (amounts in dollars, collateral in BTC)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal, InvalidOperation

import click

from lana_core.cli.common import (
    Column,
    entity_json,
    parse_id,
    parse_usd,
    print_json,
    print_record,
    show_list,
    show_one,
    usd,
    when,
)
from lana_core.cli.context import AppContext
from lana_core.cli.options import format_option
from lana_core.credit.calculations import percent
from lana_core.credit.facility import FacilityStatus
from lana_core.credit.terms import DisbursalPolicy, Interval, TermValues
from lana_core.errors import InvalidInput
from lana_core.money import Currency, Money, format_minor


@click.group()
def credit() -> None:
    """Bitcoin-backed credit facilities."""


def _pct(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{what} must be a number (percent), got {text!r}") from None
    return value


def terms_options(func):  # type: ignore[no-untyped-def]
    """The options that make TermValues (typical values as defaults)."""
    options = [
        click.option("--rate", "rate", default="12", show_default=True, help="Annual interest rate, percent."),
        click.option("--months", default=12, show_default=True, type=int, help="Duration in months."),
        click.option("--fee", default="0", show_default=True, help="One-time structuring fee, percent."),
        click.option("--initial-cvl", default="140", show_default=True),
        click.option("--margin-call-cvl", default="125", show_default=True),
        click.option("--liquidation-cvl", default="105", show_default=True),
        click.option("--disbursal", type=click.Choice([p.value for p in DisbursalPolicy]), default="single",
                     show_default=True),
        click.option("--accrual", type=click.Choice([i.value for i in Interval]), default="end_of_day",
                     show_default=True, help="How often interest accrues."),
        click.option("--cycle", type=click.Choice([i.value for i in Interval]), default="end_of_month",
                     show_default=True, help="How often accrued interest is billed."),
        click.option("--overdue-days", type=int, default=50, show_default=True),
        click.option("--liquidation-days", type=int, default=60, show_default=True),
        click.option("--default-days", type=int, default=90, show_default=True),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_terms(o: dict) -> TermValues:  # type: ignore[type-arg]
    return TermValues(
        annual_rate=_pct(o["rate"], "--rate"), duration_months=o["months"], accrual_interval=Interval(o["accrual"]),
        accrual_cycle_interval=Interval(o["cycle"]), one_time_fee_rate=_pct(o["fee"], "--fee"),
        initial_cvl=_pct(o["initial_cvl"], "--initial-cvl"), margin_call_cvl=_pct(o["margin_call_cvl"], "--margin-call-cvl"),
        liquidation_cvl=_pct(o["liquidation_cvl"], "--liquidation-cvl"), disbursal_policy=DisbursalPolicy(o["disbursal"]),
        overdue_days=o["overdue_days"], liquidation_days=o["liquidation_days"], default_days=o["default_days"],
    )


def _terms_text(t: TermValues) -> str:
    return (f"{t.annual_rate} % a year, {t.duration_months} months, fee {t.one_time_fee_rate} %, CVL "
            f"{t.initial_cvl}/{t.margin_call_cvl}/{t.liquidation_cvl} %, {t.disbursal_policy} disbursal")


def _btc(sats: int) -> str:
    return format_minor(sats, Currency.BTC)


# --- terms templates ----------------------------------------------------------------------


@credit.group("terms-template")
def terms_template() -> None:
    """Named terms to propose facilities with."""


@terms_template.command("create")
@click.argument("name")
@terms_options
@format_option
@click.pass_obj
def template_create(app: AppContext, name: str, fmt: str, **options) -> None:  # type: ignore[no-untyped-def]
    """Create a terms template (invalid terms are refused with the rule they break)."""
    template = app.lana().credit.create_terms_template(app.actor(), name, make_terms(options))
    show_one(fmt, template, f"Terms template {template.name}", lambda t: [("name", t.name), ("terms", _terms_text(t.values))])


@terms_template.command("list")
@format_option
@click.pass_obj
def template_list(app: AppContext, fmt: str) -> None:
    """Terms templates."""
    show_list(fmt, app.lana().credit.terms_templates(app.actor()), "Terms templates",
              [Column("Name", lambda t: t.name), Column("Terms", lambda t: _terms_text(t.values))])


# --- facilities ---------------------------------------------------------------------------

FACILITY_COLUMNS = [
    Column("Amount", lambda f: usd(f.amount), numeric=True),
    Column("Status", lambda f: f.status),
    Column("Collateral (BTC)", lambda f: _btc(f.collateral_sats), numeric=True),
    Column("CVL", lambda f: percent(f.cvl) if f.cvl is not None else ""),
    Column("State", lambda f: f.state),
    Column("Maturity", lambda f: f.maturity_date),
    Column("Customer", lambda f: f.customer_id),
    Column("Id", lambda f: f.id),
]


def _facility_fields(f):  # type: ignore[no-untyped-def]
    return [
        ("id", f.id), ("customer", f.customer_id), ("deposit account", f.deposit_account_id), ("amount", usd(f.amount)),
        ("terms", _terms_text(f.terms)), ("status", f.status), ("collateral", f"{_btc(f.collateral_sats)} BTC"),
        ("collateralization", f.state), ("CVL when it was entered", percent(f.cvl) if f.cvl is not None else ""),
        ("activated", when(f.activated_at)), ("maturity", f.maturity_date), ("structuring fee", usd(f.structuring_fee)),
        ("approval process", f.approval_process_id), ("liquidation in progress", f.liquidation_id),
    ]


def _show_facility(fmt: str, facility) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, facility, f"Credit facility {facility.id}", _facility_fields)


@credit.command("propose")
@click.argument("customer_id")
@click.argument("amount")
@click.option("--template", help="Take the terms from this template (otherwise from the options).")
@click.option("--deposit-account", help="Where disbursals go (default: the customer's active account).")
@click.option("--custodian", help="The custodian holding the collateral (default: recorded by hand).")
@terms_options
@format_option
@click.pass_obj
def propose(app: AppContext, customer_id: str, amount: str, template: str | None, deposit_account: str | None,
            custodian: str | None, fmt: str, **options) -> None:  # type: ignore[no-untyped-def]
    """Propose a facility of AMOUNT dollars to a customer."""
    facility = app.lana().credit.propose(
        app.actor(), parse_id(customer_id, "customer id"), parse_usd(amount),
        terms=None if template else make_terms(options), template=template,
        deposit_account_id=deposit_account and parse_id(deposit_account, "deposit account id"),
        custodian_id=custodian and parse_id(custodian, "custodian id"),
    )
    _show_facility(fmt, facility)


@credit.command("customer-accepts")
@click.argument("facility_id")
@format_option
@click.pass_obj
def customer_accepts(app: AppContext, facility_id: str, fmt: str) -> None:
    """The customer accepted the proposal: it goes to governance for approval."""
    lana = app.lana()
    lana.credit.record_customer_decision(app.actor(), parse_id(facility_id, "facility id"), accepted=True)
    _show_facility(fmt, lana.credit.facility(app.actor(), parse_id(facility_id, "facility id")))


@credit.command("customer-declines")
@click.argument("facility_id")
@format_option
@click.pass_obj
def customer_declines(app: AppContext, facility_id: str, fmt: str) -> None:
    """The customer declined the proposal."""
    _show_facility(fmt, app.lana().credit.record_customer_decision(
        app.actor(), parse_id(facility_id, "facility id"), accepted=False))


@credit.command("list")
@click.option("--status", type=click.Choice([s.value for s in FacilityStatus]))
@click.option("--customer", "customer_id")
@format_option
@click.pass_obj
def list_facilities(app: AppContext, status: str | None, customer_id: str | None, fmt: str) -> None:
    """Credit facilities, oldest first."""
    found = app.lana().credit.facilities(app.actor(), status=status,
                                         customer_id=customer_id and parse_id(customer_id, "customer id"))
    show_list(fmt, found, "Credit facilities", FACILITY_COLUMNS)


@credit.command("show")
@click.argument("facility_id")
@format_option
@click.pass_obj
def show(app: AppContext, facility_id: str, fmt: str) -> None:
    """A facility and its balances (from the ledger)."""
    lana, actor, fid = app.lana(), app.actor(), parse_id(facility_id, "facility id")
    facility = lana.credit.facility(actor, fid)
    balances = lana.credit.balances(actor, fid) if facility.status in (
        FacilityStatus.ACTIVE, FacilityStatus.MATURED, FacilityStatus.CLOSED,
        FacilityStatus.PENDING_COLLATERALIZATION) else None
    if fmt == "json":
        print_json(entity_json(facility, balances=balances and {**asdict(balances), "unit": "cents",
                                                                 "total_outstanding": balances.total_outstanding}))
        return
    print_record(f"Credit facility {facility.id}", _facility_fields(facility))
    if balances:
        print_record("Balances", [
            *((f"principal {k.replace('_', ' ')}", usd(v)) for k, v in balances.principal.items()),
            *((f"interest {k.replace('_', ' ')}", usd(v)) for k, v in balances.interest.items()),
            ("interest accrued, not billed", usd(balances.accrued_interest)), ("undrawn", usd(balances.undrawn)),
            ("total outstanding", usd(balances.total_outstanding)), ("collateral", f"{_btc(balances.collateral_sats)} BTC"),
            ("CVL now", "" if balances.cvl is None else
             f"{percent(balances.cvl)} at {usd(balances.price_cents_per_btc)} per BTC"),
        ])


@credit.command("collateral")
@click.argument("facility_id")
@click.argument("btc")
@format_option
@click.pass_obj
def collateral(app: AppContext, facility_id: str, btc: str, fmt: str) -> None:
    """Record the collateral now held, in BTC (facilities without a custodian)."""
    sats = Money.parse(btc, Currency.BTC).amount
    lana, fid = app.lana(), parse_id(facility_id, "facility id")
    lana.credit.update_collateral(app.actor(), fid, sats)
    _show_facility(fmt, lana.credit.facility(app.actor(), fid))


@credit.command("complete")
@click.argument("facility_id")
@format_option
@click.pass_obj
def complete(app: AppContext, facility_id: str, fmt: str) -> None:
    """Close a facility with nothing owed; its collateral is released."""
    _show_facility(fmt, app.lana().credit.complete(app.actor(), parse_id(facility_id, "facility id")))


# --- disbursals, payments, obligations ----------------------------------------------------


@credit.command("disburse")
@click.argument("facility_id")
@click.argument("amount")
@format_option
@click.pass_obj
def disburse(app: AppContext, facility_id: str, amount: str, fmt: str) -> None:
    """Draw AMOUNT dollars (multiple-disbursal facilities); governance approves the payout."""
    lana, fid = app.lana(), parse_id(facility_id, "facility id")
    started = lana.credit.initiate_disbursal(app.actor(), fid, parse_usd(amount))
    current = next((d for d in lana.credit.disbursals(app.actor(), fid) if d.id == started.id), started)
    show_one(fmt, current, f"Disbursal {current.id}", _disbursal_fields, as_json=_money_json)


def _disbursal_fields(d):  # type: ignore[no-untyped-def]
    return [("id", d.id), ("facility", d.facility_id), ("amount", usd(d.amount)), ("status", d.status),
            ("approval process", d.approval_process_id), ("obligation", d.obligation_id)]


def _money_json(entity):  # type: ignore[no-untyped-def]
    return entity_json(entity, unit="cents")


@credit.command("disbursals")
@click.argument("facility_id")
@format_option
@click.pass_obj
def disbursals(app: AppContext, facility_id: str, fmt: str) -> None:
    """A facility's disbursals."""
    show_list(fmt, app.lana().credit.disbursals(app.actor(), parse_id(facility_id, "facility id")), "Disbursals", [
        Column("Amount", lambda d: usd(d.amount), numeric=True), Column("Status", lambda d: d.status),
        Column("Paid out", lambda d: d.confirmed_on), Column("Id", lambda d: d.id),
    ], as_json=_money_json)


@credit.command("pay")
@click.argument("facility_id")
@click.argument("amount")
@format_option
@click.pass_obj
def pay(app: AppContext, facility_id: str, amount: str, fmt: str) -> None:
    """The customer pays AMOUNT dollars from their deposit account (interest first, oldest first)."""
    payment = app.lana().credit.record_payment(app.actor(), parse_id(facility_id, "facility id"), parse_usd(amount))
    show_one(fmt, payment, f"Payment {payment.id}", lambda p: [
        ("amount", usd(p.amount)), ("source", p.source),
        *((f"to {a.kind} obligation {a.obligation_id}", usd(a.amount)) for a in p.allocations),
    ], as_json=_money_json)


@credit.command("payments")
@click.argument("facility_id")
@format_option
@click.pass_obj
def payments(app: AppContext, facility_id: str, fmt: str) -> None:
    """A facility's payments and their allocation."""
    show_list(fmt, app.lana().credit.payments(app.actor(), parse_id(facility_id, "facility id")), "Payments", [
        Column("Date", lambda p: p.effective), Column("Amount", lambda p: usd(p.amount), numeric=True),
        Column("Source", lambda p: p.source), Column("Allocations", lambda p: len(p.allocations), numeric=True),
    ], as_json=_money_json)


@credit.command("obligations")
@click.argument("facility_id")
@format_option
@click.pass_obj
def obligations(app: AppContext, facility_id: str, fmt: str) -> None:
    """What the borrower owes, obligation by obligation."""
    show_list(fmt, app.lana().credit.obligations(app.actor(), parse_id(facility_id, "facility id")), "Obligations", [
        Column("Kind", lambda o: o.kind), Column("Amount", lambda o: usd(o.amount), numeric=True),
        Column("Outstanding", lambda o: usd(o.outstanding), numeric=True), Column("Status", lambda o: o.status),
        Column("Due", lambda o: o.due_date), Column("Overdue", lambda o: o.overdue_date),
        Column("Defaults", lambda o: o.default_date),
    ], as_json=_money_json)


@credit.command("cycles")
@click.argument("facility_id")
@format_option
@click.pass_obj
def cycles(app: AppContext, facility_id: str, fmt: str) -> None:
    """Interest accrual cycles."""
    show_list(fmt, app.lana().credit.interest_cycles(app.actor(), parse_id(facility_id, "facility id")),
              "Interest cycles", [
                  Column("#", lambda c: c.index, numeric=True), Column("From", lambda c: c.start),
                  Column("To", lambda c: c.end), Column("Accrued", lambda c: usd(c.accrued), numeric=True),
                  Column("Status", lambda c: c.status),
              ], as_json=_money_json)


# --- liquidations -------------------------------------------------------------------------


@credit.group("liquidation")
def liquidation() -> None:
    """Liquidations started when a facility falls under its liquidation threshold."""


@liquidation.command("list")
@click.option("--facility", "facility_id")
@format_option
@click.pass_obj
def liquidation_list(app: AppContext, facility_id: str | None, fmt: str) -> None:
    """Liquidations."""
    found = app.lana().credit.liquidations(app.actor(), facility_id and parse_id(facility_id, "facility id"))
    show_list(fmt, found, "Liquidations", [
        Column("Status", lambda x: x.status), Column("Trigger price", lambda x: usd(x.trigger_price_cents), numeric=True),
        Column("To sell (BTC)", lambda x: _btc(x.sats_to_sell), numeric=True),
        Column("Expected", lambda x: usd(x.expected_proceeds), numeric=True),
        Column("Proceeds", lambda x: usd(x.proceeds), numeric=True), Column("Facility", lambda x: x.facility_id),
        Column("Id", lambda x: x.id),
    ], as_json=_money_json)


@liquidation.command("send-collateral")
@click.argument("liquidation_id")
@click.argument("btc")
@format_option
@click.pass_obj
def send_collateral(app: AppContext, liquidation_id: str, btc: str, fmt: str) -> None:
    """Record BTC of collateral sent to be sold."""
    done = app.lana().credit.record_collateral_sent(app.actor(), parse_id(liquidation_id, "liquidation id"),
                                                    Money.parse(btc, Currency.BTC).amount)
    show_one(fmt, done, f"Liquidation {done.id}", lambda x: [("status", x.status), ("sent", f"{_btc(x.sats_sent)} BTC")],
             as_json=_money_json)


@liquidation.command("proceeds")
@click.argument("liquidation_id")
@click.argument("amount")
@format_option
@click.pass_obj
def proceeds(app: AppContext, liquidation_id: str, amount: str, fmt: str) -> None:
    """Record what the sale brought (dollars): it pays the facility down."""
    done = app.lana().credit.record_proceeds(app.actor(), parse_id(liquidation_id, "liquidation id"), parse_usd(amount))
    show_one(fmt, done, f"Liquidation {done.id}", lambda x: [("status", x.status), ("proceeds", usd(x.proceeds))],
             as_json=_money_json)


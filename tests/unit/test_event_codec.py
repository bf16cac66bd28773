"""Every event of every aggregate survives the trip to the event store's JSON and back, with the
same values of the same types (a UUID stays a UUID, an enum an enum, a tuple a tuple)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest

from lana_core.access import domain as access
from lana_core.accounting import domain as accounting
from lana_core.credit import (
    disbursal,
    facility,
    interest,
    liquidation,
    obligation,
    payment,
)
from lana_core.credit import terms as credit_terms
from lana_core.custody import domain as custody
from lana_core.customer import domain as customer
from lana_core.deposit import domain as deposit
from lana_core.eventsourcing import Aggregate, Event
from lana_core.eventsourcing.codec import decode_dataclass, from_json, to_json
from lana_core.exposed_config import ConfigEntry, ConfigValueSet
from lana_core.governance import domain as governance
from lana_core.ledger import Direction
from lana_core.money import Currency
from lana_core.price import domain as price
from lana_core.report import domain as report

U1, U2, U3 = uuid4(), uuid4(), uuid4()
TERMS = credit_terms.TermValues(
    Decimal("12.5"), 3, credit_terms.Interval.END_OF_DAY, credit_terms.Interval.END_OF_MONTH, Decimal("0.01"),
    Decimal(140), Decimal(125), Decimal("105.5"), credit_terms.DisbursalPolicy.SINGLE, 50, 60, 90)
TERMS_OPEN_ENDED = dataclasses.replace(TERMS, disbursal_policy=credit_terms.DisbursalPolicy.MULTIPLE,
                                       overdue_days=None, liquidation_days=None, default_days=None)
FULL_INFO = customer.PersonalInfo(first_name="Ana", last_name="Pérez", company_name="Pérez & Hijos",
                                  date_of_birth=date(1990, 5, 17), nationality="SV", address="Calle 1 #2, San Salvador",
                                  phone="+503 2222-0000")
EMPTY_INFO = customer.PersonalInfo()
LINE_WITH_DESCRIPTION = accounting.ManualLine("11.01.0101", Direction.DEBIT, 10_000, Currency.USD, "vault “count”")
LINE = accounting.ManualLine("71.01", Direction.CREDIT, 10_000, Currency.USD)
BTC_LINE = accounting.ManualLine("11.02", Direction.DEBIT, 150_000_000, Currency.BTC)
FILE = report.ReportFile("tb.pdf", "pdf", "s3://reports/2026/tb.pdf", 10_240, "ab" * 32)
CUSTOMER_CREATED = customer.CustomerCreated("ana@example.sv", "@ana", customer.CustomerType.INDIVIDUAL, FULL_INFO)
MANUAL_POSTED = accounting.ManualTransactionPosted("ADJ-1", "Vault count", date(2026, 2, 28),
                                                   (LINE_WITH_DESCRIPTION, LINE, BTC_LINE), U1)

# At least one sample per event class; events with optional fields have one with them set and
# one with them unset.
SAMPLES: list[Event] = [
    # access
    access.UserCreated("ana@bank.sv", "Ana Pérez"),
    access.UserCreated("ops@bank.sv", None),
    access.RoleAssigned("bank-manager"),
    access.RoleRevoked("accountant"),
    access.RoleCreated("teller", ("customer_viewer", "deposit_writer"), False),
    access.RoleCreated("superuser", (), True),
    access.PermissionSetAdded("deposit_viewer"),
    access.PermissionSetRemoved("deposit_viewer"),
    # customer
    CUSTOMER_CREATED,
    customer.CustomerCreated("bank@example.sv", None, customer.CustomerType.FOREIGN_AGENCY_OR_SUBSIDIARY, EMPTY_INFO),
    customer.PersonalInfoUpdated(FULL_INFO),
    customer.PersonalInfoUpdated(customer.PersonalInfo(first_name="Ana", last_name="Pérez")),
    customer.KycApplicantLinked("app-1"),
    customer.KycVerified("app-1", customer.KycLevel.ADVANCED),
    customer.KycRejected("app-1", "document expired"),
    customer.CustomerFrozen(U1, "court order"),
    customer.CustomerUnfrozen(U1),
    customer.CustomerClosed(U1),
    customer.DocumentUploaded(U1, "passport.pdf", "application/pdf", 2048, "ab" * 32, "customers/1/passport.pdf"),
    customer.DocumentArchived(),
    customer.DocumentDeleted(),
    # governance
    governance.CommitteeCreated("Credit committee", (U1, U2, U3)),
    governance.CommitteeCreated("Solo", (U1,)),
    governance.CommitteeMemberAdded(U2),
    governance.CommitteeMemberRemoved(U2),
    governance.PolicyCreated(governance.ProcessType.CREDIT_FACILITY_PROPOSAL),
    governance.PolicyRulesChanged(U1, 2),
    governance.PolicyRulesChanged(None, None),
    governance.ApprovalProcessStarted(governance.ProcessType.WITHDRAW, U1, U2, U3, 2),
    governance.ApprovalProcessStarted(governance.ProcessType.DISBURSAL, U1, U2, None, None),
    governance.ApprovalVoteCast(U1),
    governance.DenialVoteCast(U1, "amount above the profile"),
    governance.ApprovalProcessConcluded(U1, governance.ProcessType.WITHDRAW, U2, True, None),
    governance.ApprovalProcessConcluded(U1, governance.ProcessType.WITHDRAW, U2, False, "fraud suspicion"),
    # deposit
    deposit.DepositAccountOpened(U1, customer.CustomerType.PRIVATE_COMPANY, U2, "DA-1"),
    deposit.DepositAccountFrozen("court order", 5000, U1),
    deposit.DepositAccountFrozen("court order", 0, None),
    deposit.DepositAccountUnfrozen(5000, U1),
    deposit.DepositAccountUnfrozen(0, None),
    deposit.DepositAccountClosed(),
    deposit.DepositRecorded(U1, 2500, "D-1", U2),
    deposit.DepositReverted(U2),
    deposit.WithdrawalInitiated(U1, 2500, "W-1", U2, U3),
    deposit.WithdrawalApproved(),
    deposit.WithdrawalDenied("amount above the limit", U1),
    deposit.WithdrawalConfirmed(U1),
    deposit.WithdrawalCancelled(U1),
    deposit.WithdrawalReverted(U1),
    # accounting
    MANUAL_POSTED,
    accounting.FiscalYearOpened(2025),
    accounting.MonthClosed(2, date(2025, 2, 28)),
    accounting.FiscalYearClosed(date(2025, 12, 31), (U1, U2), {"USD": 125_000, "BTC": -3}),
    accounting.FiscalYearClosed(date(2025, 12, 31), (), {}),
    # report
    report.ReportRunRequested(U1, "finance/trial_balance", date(2026, 3, 1), "manual"),
    report.ReportRunRequested(U1, "ops/customer_list", None, "scheduled"),
    report.ReportRunStarted("dagster-42"),
    report.ReportRunStarted(None),
    report.ReportRunCompleted((FILE, dataclasses.replace(FILE, name="tb.xlsx", format="xlsx"))),
    report.ReportRunCompleted(()),
    report.ReportRunFailed("warehouse unreachable"),
    # credit
    credit_terms.TermsTemplateCreated("standard", TERMS),
    credit_terms.TermsTemplateUpdated(TERMS_OPEN_ENDED),
    facility.FacilityProposed(U1, customer.CustomerType.BANK, U2, 1_000_000_00, TERMS, U3),
    facility.FacilityProposed(U1, customer.CustomerType.INDIVIDUAL, U2, 5_000_00, TERMS_OPEN_ENDED, None),
    facility.CustomerAccepted(U1),
    facility.CustomerDeclined(),
    facility.ProposalApproved(U1, U2),
    facility.ProposalApproved(U1, None),
    facility.ProposalDenied("exposure limit"),
    facility.CollateralUpdated(150_000_000, -25_000_000, facility.CollateralSource.LIQUIDATION, U1),
    facility.CollateralUpdated(0, -150_000_000, facility.CollateralSource.RELEASE, None),
    facility.CollateralizationChanged("fully_collateralized", Decimal("131"), 6_500_000, 10_000_00),
    facility.CollateralizationChanged("no_exposure", Decimal("Infinity"), 6_500_000, 0),
    facility.FacilityActivated(datetime(2026, 1, 15, 10, tzinfo=timezone.utc), date(2026, 1, 15), date(2026, 4, 15),
                               10_000, (U1, U2)),
    facility.FacilityMatured(date(2026, 4, 15)),
    facility.LiquidationStarted(U1),
    facility.LiquidationEnded(U1),
    facility.FacilityClosed(date(2026, 5, 1)),
    disbursal.DisbursalInitiated(U1, 500_00, U2, U3),
    disbursal.DisbursalInitiated(U1, 500_00, None, None),
    disbursal.DisbursalConfirmed(U1, date(2026, 2, 1), U2),
    disbursal.DisbursalCancelled("denied", U1),
    obligation.ObligationCreated(U1, obligation.ObligationKind.INTEREST, 5_593, "interest", date(2026, 1, 31),
                                 date(2026, 1, 31), date(2026, 3, 22), date(2026, 4, 1), date(2026, 5, 1)),
    obligation.ObligationCreated(U1, obligation.ObligationKind.DISBURSAL, 10_000_00, "disbursal", date(2026, 1, 15),
                                 date(2026, 4, 15), None, None, None),
    obligation.ObligationStatusChanged(obligation.ObligationStatus.OVERDUE, date(2026, 3, 22), U1),
    obligation.ObligationStatusChanged(obligation.ObligationStatus.PAID, date(2026, 3, 23), None),
    obligation.ObligationPaymentApplied(U1, 5_593, U2),
    interest.InterestCycleStarted(U1, 1, date(2026, 1, 15), date(2026, 1, 31)),
    interest.InterestAccrued(interest.Accrual(date(2026, 1, 15), 1, 10_000_00, 329, U1)),
    interest.InterestAccrued(interest.Accrual(date(2026, 1, 16), 1, 0, 0, None)),
    interest.InterestCycleCompleted(5_593, U1, U2),
    interest.InterestCycleCompleted(0, None, None),
    payment.PaymentRecorded(U1, 200_00, payment.PaymentSource.DEPOSIT_ACCOUNT, date(2026, 2, 9), U2),
    payment.PaymentAllocated((payment.Allocation(U1, "interest", 5_593, U2), payment.Allocation(U3, "disbursal", 14_407, U1))),
    liquidation.LiquidationInitiated(U1, 4_000_000, Decimal("104"), 10_000_00, 4_000_00, 12_345_678),
    liquidation.CollateralSentToLiquidation(12_345_678, U1),
    liquidation.LiquidationProceedsReceived(4_100_00, U2, U3),
    liquidation.LiquidationProceedsReceived(4_100_00, None, U3),
    customer.CustomerActivityChanged(U1, customer.CustomerActivity.SUSPENDED, date(2015, 1, 2)),
    # price
    price.PriceProviderRegistered("bitfinex", price.ProviderKind.BITFINEX,
                                  {"base_url": "https://api-pub.bitfinex.com", "timeout_seconds": 5}),
    price.PriceProviderRegistered("manual", price.ProviderKind.MANUAL, {"price_cents_per_btc": None}),
    price.PriceProviderConfigUpdated({
        "seed": 7, "start_date": "2026-01-01", "start_price_cents": 10_000_000, "volatility_bps": 300,
        "calm_volatility_bps": 50, "floor_cents": 100_000,
        "crashes": [{"start": "2026-03-10", "change_bps": -4500, "days": 3}]}),
    price.PriceProviderActivated(),
    price.PriceProviderDeactivated(),
    # exposed config
    ConfigValueSet("customer.require-verification", True),
    ConfigValueSet("customer.require-verification", False),
    ConfigValueSet("deposit.max-withdrawals", 3),
    ConfigValueSet("bank.name", "Banco Lana"),
    # custody
    custody.CustodianCreated("BitGo", custody.CustodianKind.BITGO, "https://bitgo.example", "gAAAA-key", "gAAAA-secret"),
    custody.CustodianCreated("Sim", custody.CustodianKind.SIMULATED, None, None, None),
    custody.CustodianSecretsRotated("gAAAA-key-2", None),
    custody.CustodianSecretsRotated(None, "gAAAA-secret-2"),
    custody.CustodianActivated(),
    custody.CustodianDeactivated(),
    custody.WalletCreated(U1, U2, "bitgo-0001", "bc1qaddress", "CF 1"),
    custody.WalletBalanceUpdated(150_000, datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)),
]

AGGREGATES: list[type[Aggregate]] = [
    access.User, access.Role, customer.Customer, customer.CustomerDocument, governance.Committee,
    governance.ApprovalPolicy, governance.ApprovalProcess, deposit.DepositAccount, deposit.Deposit, deposit.Withdrawal,
    accounting.ManualTransaction, accounting.FiscalYear, report.ReportRun, ConfigEntry,
    credit_terms.TermsTemplate, facility.CreditFacility, disbursal.Disbursal, obligation.Obligation,
    interest.InterestAccrualCycle, payment.Payment, liquidation.Liquidation, price.PriceProvider,
    custody.Custodian, custody.Wallet,
]
EVENT_TYPES = [t for aggregate in AGGREGATES for t in aggregate.event_types]


def _all_subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *_all_subclasses(direct)}}


def stored(event: Event) -> Event:
    """As the event store writes it (orjson bytes) and reads it back."""
    return decode_dataclass(type(event), orjson.loads(orjson.dumps(to_json(event))))


def assert_identical(got: Any, expected: Any, path: str = "event") -> None:
    """Equal, and of the same type all the way down ("individual" equals CustomerType.INDIVIDUAL,
    a list is not a tuple, a str is not a UUID)."""
    assert type(got) is type(expected), f"{path}: {type(got).__name__} instead of {type(expected).__name__}"
    if dataclasses.is_dataclass(expected):
        for f in dataclasses.fields(expected):
            assert_identical(getattr(got, f.name), getattr(expected, f.name), f"{path}.{f.name}")
    elif isinstance(expected, (tuple, list)):
        assert len(got) == len(expected), path
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            assert_identical(g, e, f"{path}[{i}]")
    elif isinstance(expected, dict):
        assert got == expected, path
        for (gk, gv), (ek, ev) in zip(sorted(got.items(), key=str), sorted(expected.items(), key=str), strict=True):
            assert_identical(gk, ek, f"{path} key {ek!r}")
            assert_identical(gv, ev, f"{path}[{ek!r}]")
    elif isinstance(expected, (set, frozenset)):
        assert got == expected, path
        assert {type(v) for v in got} == {type(v) for v in expected}, path
    else:
        assert got == expected, path


def _json_native(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_native(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_native(v) for v in value)
    return value is None or isinstance(value, (str, int, bool))


# --- coverage of the samples ------------------------------------------------------------------


def test_the_list_of_aggregates_is_complete():
    assert _all_subclasses(Aggregate) == set(AGGREGATES)


def test_every_event_class_of_every_aggregate_has_a_sample():
    assert {type(e) for e in SAMPLES} == set(EVENT_TYPES)


def test_event_type_names_are_unique_across_aggregates():
    names = [t.event_type() for t in EVENT_TYPES]
    assert len(names) == len(set(names))


def test_every_optional_field_has_a_sample_with_it_set_and_one_with_it_unset():
    unset, set_ = set(), set()
    for event in SAMPLES:
        for owner, name, value in _fields(event):
            (unset if value is None else set_).add((owner, name))
    assert unset <= set_
    optional = {
        (cls, f.name) for cls in (*EVENT_TYPES, customer.PersonalInfo, accounting.ManualLine, report.ReportFile)
        for f in dataclasses.fields(cls) if "None" in str(f.type)
    }
    assert optional <= unset


def _fields(instance: Any):  # type: ignore[no-untyped-def]
    """(class, field name, value) of every field of a dataclass and of the dataclasses in it."""
    for f in dataclasses.fields(instance):
        value = getattr(instance, f.name)
        yield type(instance), f.name, value
        for item in value if isinstance(value, tuple) else (value,):
            if dataclasses.is_dataclass(item):
                yield from _fields(item)


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_round_trips_through_the_stored_json_unchanged(event):
    assert_identical(stored(event), event)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_becomes_plain_json(event):
    data = to_json(event)
    assert _json_native(data)
    assert set(data) == {f.name for f in dataclasses.fields(event)}
    assert json.loads(json.dumps(data)) == orjson.loads(orjson.dumps(data))


def test_the_json_form_is_readable():
    data = orjson.loads(orjson.dumps(to_json(CUSTOMER_CREATED)))
    assert data == {
        "email": "ana@example.sv",
        "telegram": "@ana",
        "customer_type": "individual",
        "personal_info": {"first_name": "Ana", "last_name": "Pérez", "company_name": "Pérez & Hijos",
                          "date_of_birth": "1990-05-17", "nationality": "SV", "address": "Calle 1 #2, San Salvador",
                          "phone": "+503 2222-0000"},
    }
    assert orjson.loads(orjson.dumps(to_json(MANUAL_POSTED))) == {
        "reference": "ADJ-1", "description": "Vault count", "effective_date": "2026-02-28",
        "lines": [
            {"account": "11.01.0101", "direction": "debit", "amount": 10_000, "currency": "USD",
             "description": "vault “count”"},
            {"account": "71.01", "direction": "credit", "amount": 10_000, "currency": "USD", "description": None},
            {"account": "11.02", "direction": "debit", "amount": 150_000_000, "currency": "BTC",
             "description": None},
        ],
        "ledger_transaction_id": str(U1),
    }


def test_a_field_missing_from_an_old_payload_decodes_as_none():
    assert decode_dataclass(report.ReportRunStarted, {}) == report.ReportRunStarted(None)


# --- the codec beyond today's events ----------------------------------------------------------


class Colour(Enum):
    RED = 1
    BLUE = 2


@dataclass(frozen=True)
class Everything:
    at: datetime
    on: date
    ids: frozenset[UUID]
    counts: list[int]
    by_id: dict[UUID, int]
    colour: Colour
    info: customer.PersonalInfo | None
    files: tuple[report.ReportFile, ...]
    anything: Any
    flag: bool = False


def test_the_codec_handles_every_supported_type():
    value = Everything(
        at=datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-6))),
        on=date(2026, 3, 2),
        ids=frozenset({U1, U2}),
        counts=[3, 1, 2],
        by_id={U1: 1, U2: -2},
        colour=Colour.BLUE,
        info=FULL_INFO,
        files=(FILE,),
        anything={"nested": [1, "two", None]},
        flag=True,
    )
    assert_identical(decode_dataclass(Everything, orjson.loads(orjson.dumps(to_json(value)))), value)
    unset = dataclasses.replace(value, info=None, ids=frozenset(), counts=[], by_id={}, files=())
    assert_identical(decode_dataclass(Everything, orjson.loads(orjson.dumps(to_json(unset)))), unset)


def test_a_float_cannot_be_stored():
    with pytest.raises(TypeError, match="cannot store a float in an event: 10.5"):
        to_json(deposit.DepositRecorded(U1, 10.5, "D-1", U2))  # type: ignore[arg-type]


def test_sets_are_stored_in_a_stable_order():
    assert to_json(frozenset({"b", "a", "c"})) == ["a", "b", "c"]


def test_dictionaries_with_whole_number_keys_round_trip():
    hint = dict[int, str]
    value = {1: "January", 12: "December"}
    assert_identical(from_json(hint, orjson.loads(orjson.dumps(to_json(value)))), value)

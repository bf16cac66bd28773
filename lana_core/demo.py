"""The demo bank: a month of real operations through the business core (RBAC, governance, ledger).

Idempotent: every step first looks for what it would create (users, customers, accounts;
manual transactions carry references), so running the demo again changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from lana_core.accounting.domain import ManualLine
from lana_core.app import Lana
from lana_core.customer.domain import Customer, CustomerType, PersonalInfo
from lana_core.customer.kyc import sign
from lana_core.deposit.domain import DepositAccount, Withdrawal
from lana_core.governance.domain import ProcessType
from lana_core.ledger import Direction
from lana_core.money import Currency, Money
from lana_core.setup import SetupResult, setup

SUPERUSER = "admin@lana.local"
OFFICERS = ("maria.lopez@lana.local", "jon.reyes@lana.local")
COMMITTEE = "Withdrawals Committee"
DEMO_KYC_SECRET = "lana-demo-kyc-secret"


def usd(text: str) -> int:
    return Money.parse(text, Currency.USD).amount


@dataclass(frozen=True)
class DemoCustomer:
    email: str
    customer_type: CustomerType
    info: PersonalInfo
    deposits: tuple[str, ...]          # amounts received, USD
    withdrawal: str | None = None      # one withdrawal, approved by the committee and paid out


CUSTOMERS = (
    DemoCustomer("alice.moreno@example.com", CustomerType.INDIVIDUAL,
                 PersonalInfo(first_name="Alice", last_name="Moreno", nationality="SV", address="San Salvador"),
                 ("48250.75", "1200.00"), "5000.00"),
    DemoCustomer("treasury@acme-robotics.example", CustomerType.PRIVATE_COMPANY,
                 PersonalInfo(company_name="Acme Robotics S.A. de C.V.", nationality="SV"),
                 ("310000.00",)),
    DemoCustomer("ops@banco-del-istmo.example", CustomerType.BANK,
                 PersonalInfo(company_name="Banco del Istmo", nationality="PA"),
                 ("1250000.00",), "250000.00"),
)


def _manual(code_dr: str, code_cr: str, amount: str) -> list[ManualLine]:
    return [ManualLine(code_dr, Direction.DEBIT, usd(amount), Currency.USD),
            ManualLine(code_cr, Direction.CREDIT, usd(amount), Currency.USD)]


def manual_books(first: date) -> list[tuple[str, str, date, list[ManualLine]]]:
    """(reference, description, effective date, lines) of the month's manual entries."""
    return [
        ("demo:capital", "Capital paid in by the founding shareholders", first,
         _manual("11.02", "31.01", "2500000.00")),
        ("demo:vault", "Vault cash float", first, _manual("11.01", "11.02", "20000.00")),
        ("demo:rent", "Office rent invoice", first, _manual("62.01", "22.01", "8400.00")),
        ("demo:rent-paid", "Office rent paid", first, _manual("22.01", "11.02", "8400.00")),
        ("demo:software", "Core banking licences", first, _manual("62.02", "22.01", "1290.40")),
    ]


@dataclass(frozen=True)
class DemoResult:
    setup: SetupResult
    created: list[str]  # what this run added (empty on a re-run)


def run_demo(app: Lana, on_step: Callable[[str], None] = lambda _: None) -> DemoResult:
    if not app.config.kyc_webhook_secret:
        app.config.kyc_webhook_secret = DEMO_KYC_SECRET
    on_step("setting the bank up")
    result = setup(app, SUPERUSER)
    admin = app.actor(SUPERUSER)
    created: list[str] = []
    today = app.clock.today()
    first = today.replace(day=1)

    on_step("officers and the withdrawals committee")
    known = {u.email for u in app.access.users(admin)}
    for email in OFFICERS:
        if email not in known:
            app.access.create_user(admin, email, roles=["bank-manager"])
            created.append(f"user {email}")
    if not any(c.name == COMMITTEE for c in app.governance.committees(admin)):
        app.governance.create_committee(admin, COMMITTEE, list(OFFICERS))
        app.governance.require_committee(admin, ProcessType.WITHDRAW, COMMITTEE, 2)
        created.append(f"committee {COMMITTEE} (2 of 2 approve withdrawals)")

    on_step("manual entries: capital, cash float, expenses")
    for reference, description, day, lines in manual_books(first):
        app.accounting.post_manual_transaction(admin, description, lines, effective_date=day, reference=reference)

    for spec in CUSTOMERS:
        on_step(f"customer {spec.email}")
        existing = {c.email: c for c in app.customers.list(admin)}
        customer = existing.get(spec.email)
        if customer is None:
            customer = app.customers.create(admin, spec.email, spec.customer_type, spec.info)
            _verify(app, customer)
            account = app.deposits.open_account(admin, customer.id)
            for amount in spec.deposits:
                app.deposits.record_deposit(admin, account.id, usd(amount))
            if spec.withdrawal:
                _approved_withdrawal(app, admin, account, usd(spec.withdrawal))
            created.append(f"customer {spec.email} with a deposit account")
    return DemoResult(result, created)


def _verify(app: Lana, customer: Customer) -> None:
    """As the KYC provider would: a signed webhook saying the review came back green."""
    body = json.dumps({
        "type": "applicantReviewed", "applicantId": f"demo-{customer.id.hex[:12]}",
        "externalUserId": str(customer.id),
        "levelName": "basic-kyc-level" if customer.customer_type.is_person else "kyb-basic",
        "reviewResult": {"reviewAnswer": "GREEN"},
    }).encode()
    app.customers.handle_kyc_webhook(body, sign(app.config.kyc_webhook_secret or "", body))


def _approved_withdrawal(app: Lana, admin, account: DepositAccount, amount: int) -> Withdrawal:  # type: ignore[no-untyped-def]
    withdrawal = app.deposits.initiate_withdrawal(admin, account.id, amount)
    for officer in OFFICERS:
        app.governance.approve(app.actor(officer), withdrawal.approval_process_id)
    return app.deposits.confirm_withdrawal(admin, withdrawal.id)


"""Sample books for the ledger and statement tests: a month of postings straight through the
ledger (no business core), with figures checked by hand.

Idempotent: accounts are created only when missing and every posting has an idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from lana_core.accounting.chart import ChartOfAccounts, ImportResult
from lana_core.db import Database
from lana_core.ledger import (
    Direction,
    EntryTemplate,
    Layer,
    Ledger,
    Param,
    ParamType,
    PostedTransaction,
    Ref,
    TransactionTemplate,
)
from lana_core.money import Currency, Money

DEMO_PERIOD = (date(2026, 1, 1), date(2026, 1, 31))


@dataclass(frozen=True)
class DemoAccount:
    code: str
    name: str
    normal_balance: Direction
    chart_node: str
    prevent_overdraft: bool = False


ACCOUNTS = (
    DemoAccount("BANK.VAULT", "Vault cash", Direction.DEBIT, "11.01"),
    DemoAccount("BANK.CORRESPONDENT.FIRST", "First Correspondent Bank - operating", Direction.DEBIT, "11.02"),
    DemoAccount("BANK.SHARE_CAPITAL", "Ordinary shares issued", Direction.CREDIT, "31.01"),
    DemoAccount("BANK.PAYABLES", "Suppliers payable", Direction.CREDIT, "22.01"),
    DemoAccount("BANK.RENT", "Office rent", Direction.DEBIT, "62.01"),
    DemoAccount("BANK.SOFTWARE", "Software subscriptions", Direction.DEBIT, "62.02"),
    DemoAccount("BANK.SALARIES", "Staff salaries", Direction.DEBIT, "61.01"),
    DemoAccount("BANK.SERVICE_FEES", "Account service fees", Direction.CREDIT, "42.02"),
    DemoAccount("DEMO.DEPOSIT.ALICE", "Deposit - Alice Moreno", Direction.CREDIT, "21.01.0101", True),
    DemoAccount("DEMO.DEPOSIT.ACME", "Deposit - Acme Robotics SA", Direction.CREDIT, "21.01.0102", True),
    DemoAccount("DEMO.COLLATERAL.OMNIBUS", "Collateral pledged (contra)", Direction.DEBIT, "72.01"),
    DemoAccount("DEMO.COLLATERAL.ALICE", "Collateral held - Alice Moreno", Direction.CREDIT, "82.01"),
)

_ACCOUNT = ParamType.ACCOUNT
_AMOUNT = ParamType.AMOUNT


def _two_leg(code: str, description: str, debit: str, credit: str, currency: Currency) -> TransactionTemplate:
    params = (Param(debit, _ACCOUNT), Param(credit, _ACCOUNT), Param("amount", _AMOUNT), Param("memo", ParamType.STRING))
    return TransactionTemplate(
        code=code,
        description=description,
        params=params,
        entries=(
            EntryTemplate(Ref(debit), Direction.DEBIT, Ref("amount"), currency),
            EntryTemplate(Ref(credit), Direction.CREDIT, Ref("amount"), currency),
        ),
    )


CAPITAL_CONTRIBUTION = _two_leg("DEMO_CAPITAL_CONTRIBUTION", "Capital paid in: {memo}", "bank_account", "capital_account", Currency.USD)
CUSTOMER_DEPOSIT = _two_leg("DEMO_CUSTOMER_DEPOSIT", "Deposit: {memo}", "bank_account", "deposit_account", Currency.USD)
EXPENSE_ACCRUED = _two_leg("DEMO_EXPENSE_ACCRUED", "Expense: {memo}", "expense_account", "payable_account", Currency.USD)
PAYABLE_SETTLED = _two_leg("DEMO_PAYABLE_SETTLED", "Paid supplier: {memo}", "payable_account", "bank_account", Currency.USD)
INTERNAL_TRANSFER = _two_leg("DEMO_INTERNAL_TRANSFER", "Transfer: {memo}", "to_account", "from_account", Currency.USD)
FEE_CHARGED = _two_leg("DEMO_FEE_CHARGED", "Fee: {memo}", "deposit_account", "fee_income_account", Currency.USD)
COLLATERAL_PLEDGED = _two_leg("DEMO_COLLATERAL_PLEDGED", "Collateral pledged: {memo}", "omnibus_account", "collateral_account", Currency.BTC)

# A withdrawal in flight: the funds leave the settled balance at once and wait on the pending
# layer until the withdrawal is confirmed.
WITHDRAWAL_INITIATED = TransactionTemplate(
    code="DEMO_WITHDRAWAL_INITIATED",
    description="Withdrawal requested: {memo}",
    params=(
        Param("deposit_account", _ACCOUNT),
        Param("bank_account", _ACCOUNT),
        Param("amount", _AMOUNT),
        Param("memo", ParamType.STRING),
    ),
    entries=(
        EntryTemplate(Ref("deposit_account"), Direction.DEBIT, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("bank_account"), Direction.CREDIT, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("bank_account"), Direction.DEBIT, Ref("amount"), Currency.USD, Layer.PENDING),
        EntryTemplate(Ref("deposit_account"), Direction.CREDIT, Ref("amount"), Currency.USD, Layer.PENDING),
    ),
)


def usd(text: str) -> int:
    return Money.parse(text, Currency.USD).amount


def btc(text: str) -> int:
    return Money.parse(text, Currency.BTC).amount


# (idempotency key, effective date, template, params)
POSTINGS = (
    ("demo:capital", date(2026, 1, 2), CAPITAL_CONTRIBUTION,
     {"bank_account": "BANK.CORRESPONDENT.FIRST", "capital_account": "BANK.SHARE_CAPITAL",
      "amount": usd("2500000.00"), "memo": "founding shareholders"}),
    ("demo:vault-float", date(2026, 1, 3), INTERNAL_TRANSFER,
     {"to_account": "BANK.VAULT", "from_account": "BANK.CORRESPONDENT.FIRST",
      "amount": usd("20000.00"), "memo": "vault cash float"}),
    ("demo:deposit-alice", date(2026, 1, 5), CUSTOMER_DEPOSIT,
     {"bank_account": "BANK.CORRESPONDENT.FIRST", "deposit_account": "DEMO.DEPOSIT.ALICE",
      "amount": usd("48250.75"), "memo": "wire from Alice Moreno"}),
    ("demo:deposit-acme", date(2026, 1, 6), CUSTOMER_DEPOSIT,
     {"bank_account": "BANK.CORRESPONDENT.FIRST", "deposit_account": "DEMO.DEPOSIT.ACME",
      "amount": usd("310000.00"), "memo": "Acme Robotics operating funds"}),
    ("demo:collateral-alice", date(2026, 1, 8), COLLATERAL_PLEDGED,
     {"omnibus_account": "DEMO.COLLATERAL.OMNIBUS", "collateral_account": "DEMO.COLLATERAL.ALICE",
      "amount": btc("1.25000000"), "memo": "Alice Moreno, 1.25 BTC"}),
    ("demo:rent-jan", date(2026, 1, 10), EXPENSE_ACCRUED,
     {"expense_account": "BANK.RENT", "payable_account": "BANK.PAYABLES",
      "amount": usd("8400.00"), "memo": "January office rent"}),
    ("demo:software-jan", date(2026, 1, 12), EXPENSE_ACCRUED,
     {"expense_account": "BANK.SOFTWARE", "payable_account": "BANK.PAYABLES",
      "amount": usd("1290.40"), "memo": "core banking licences"}),
    ("demo:pay-rent", date(2026, 1, 15), PAYABLE_SETTLED,
     {"payable_account": "BANK.PAYABLES", "bank_account": "BANK.CORRESPONDENT.FIRST",
      "amount": usd("8400.00"), "memo": "January office rent"}),
    ("demo:fee-acme", date(2026, 1, 20), FEE_CHARGED,
     {"deposit_account": "DEMO.DEPOSIT.ACME", "fee_income_account": "BANK.SERVICE_FEES",
      "amount": usd("35.00"), "memo": "monthly business account fee"}),
    ("demo:withdraw-alice", date(2026, 1, 22), WITHDRAWAL_INITIATED,
     {"deposit_account": "DEMO.DEPOSIT.ALICE", "bank_account": "BANK.CORRESPONDENT.FIRST",
      "amount": usd("5000.00"), "memo": "Alice Moreno, awaiting approval"}),
    ("demo:salaries-jan", date(2026, 1, 30), EXPENSE_ACCRUED,
     {"expense_account": "BANK.SALARIES", "payable_account": "BANK.PAYABLES",
      "amount": usd("64000.00"), "memo": "January payroll"}),
    # Posted by mistake twice the amount, then corrected by a reversal and a new posting.
    ("demo:software-fee-wrong", date(2026, 1, 25), EXPENSE_ACCRUED,
     {"expense_account": "BANK.SOFTWARE", "payable_account": "BANK.PAYABLES",
      "amount": usd("900.00"), "memo": "monitoring service (entered twice the invoice)"}),
)
CORRECTION = ("demo:software-fee-right", date(2026, 1, 25), EXPENSE_ACCRUED,
              {"expense_account": "BANK.SOFTWARE", "payable_account": "BANK.PAYABLES",
               "amount": usd("450.00"), "memo": "monitoring service"})


@dataclass(frozen=True)
class DemoResult:
    chart: ImportResult
    accounts_created: int
    posted: int
    replayed: int


def ensure_accounts(ledger: Ledger) -> int:
    created = 0
    for account in ACCOUNTS:
        if ledger.find_account(account.code) is None:
            ledger.create_account(
                account.code,
                account.name,
                account.normal_balance,
                prevent_overdraft=account.prevent_overdraft,
                member_of=[account.chart_node],
            )
            created += 1
    return created


def load_sample_books(db: Database, on_step: Callable[[str], None] = lambda _: None) -> DemoResult:
    """Import the default chart, create the demo accounts, post the sample transactions."""
    with db.unit_of_work() as uow:
        on_step("loading the default chart of accounts")
        chart = ChartOfAccounts(uow.ledger).import_default()
        on_step("creating the demo accounts")
        created = ensure_accounts(uow.ledger)
        uow.commit()

    results: list[PostedTransaction] = []
    for key, day, template, params in POSTINGS:
        on_step(f"posting {key}")
        with db.unit_of_work() as uow:
            results.append(uow.ledger.post(template, params, effective_date=day, idempotency_key=key))
            uow.commit()

    on_step("correcting the double-entered invoice")
    with db.unit_of_work() as uow:
        wrong = uow.ledger.post(
            POSTINGS[-1][2], POSTINGS[-1][3], effective_date=POSTINGS[-1][1], idempotency_key=POSTINGS[-1][0]
        )
        results.append(uow.ledger.reverse(wrong.id, effective_date=date(2026, 1, 26)))
        key, day, template, params = CORRECTION
        results.append(uow.ledger.post(template, params, effective_date=day, idempotency_key=key))
        uow.commit()

    replayed = sum(1 for r in results if r.replayed)
    return DemoResult(chart, created, len(results) - replayed, replayed)

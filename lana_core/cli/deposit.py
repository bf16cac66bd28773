"""``lana deposit``: deposit accounts, deposits and withdrawals (USD; amounts in dollars, e.g. 1250.50)."""

from __future__ import annotations

from dataclasses import asdict

import click

from lana_core.cli.common import Column, entity_json, parse_id, parse_usd, print_json, print_record, show_list, \
    show_one, usd, when
from lana_core.access.domain import PermissionDenied
from lana_core.cli.context import AppContext
from lana_core.cli.options import DATE, format_option
from lana_core.deposit.domain import AccountStatus, WithdrawalStatus

UNIT = "cents"


@click.group()
def deposit() -> None:
    """Deposit accounts, deposits and withdrawals."""


def _enum(enum_type):  # type: ignore[no-untyped-def]
    return click.Choice([e.value for e in enum_type])


# --- accounts -----------------------------------------------------------------------------

ACCOUNT_COLUMNS = [
    Column("Reference", lambda a: a.reference),
    Column("Status", lambda a: a.status),
    Column("Customer type", lambda a: a.customer_type),
    Column("Customer", lambda a: a.holder_id),
    Column("Id", lambda a: a.id),
]


def _account_fields(a):  # type: ignore[no-untyped-def]
    return [("id", a.id), ("reference", a.reference), ("status", a.status), ("customer", a.holder_id),
            ("customer type", a.customer_type)]


def _balance_json(b) -> dict:  # type: ignore[no-untyped-def]
    return {**asdict(b), "available": b.available, "unit": UNIT}


def _balance_fields(b):  # type: ignore[no-untyped-def]
    return [("available (settled)", usd(b.settled)), ("pending withdrawals", usd(b.pending)),
            ("frozen", usd(b.frozen))]


def _balance_record(b):  # type: ignore[no-untyped-def]
    return [("account", b.account_id), *_balance_fields(b)]


def _show_account(fmt: str, account) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, account, f"Deposit account {account.reference}", _account_fields)


@deposit.command("open")
@click.argument("customer_id")
@click.option("--reference", help="A label for the account (default: DA-xxxxxxxx).")
@format_option
@click.pass_obj
def open_account(app: AppContext, customer_id: str, reference: str | None, fmt: str) -> None:
    """Open a USD deposit account for a customer."""
    account = app.lana().deposits.open_account(app.actor(), parse_id(customer_id, "customer id"), reference)
    _show_account(fmt, account)


@deposit.command("list")
@click.option("--customer", "customer_id", help="Only this customer's accounts (customer id).")
@click.option("--status", type=_enum(AccountStatus))
@format_option
@click.pass_obj
def list_accounts(app: AppContext, customer_id: str | None, status: str | None, fmt: str) -> None:
    """Deposit accounts, oldest first."""
    accounts = app.lana().deposits.accounts(
        app.actor(), customer_id=customer_id and parse_id(customer_id, "customer id"),
        status=status and AccountStatus(status),
    )
    show_list(fmt, accounts, "Deposit accounts", ACCOUNT_COLUMNS)


@deposit.command("show")
@click.argument("account_id")
@format_option
@click.pass_obj
def show_account(app: AppContext, account_id: str, fmt: str) -> None:
    """One deposit account and its balance."""
    lana, actor, aid = app.lana(), app.actor(), parse_id(account_id, "account id")
    account = lana.deposits.account(actor, aid)
    balance = lana.deposits.balance(actor, aid)
    if fmt == "json":
        print_json(entity_json(account, balance=_balance_json(balance)))
    else:
        print_record(f"Deposit account {account.reference}", [*_account_fields(account), *_balance_fields(balance)])


@deposit.command("balance")
@click.argument("account_id")
@format_option
@click.pass_obj
def balance(app: AppContext, account_id: str, fmt: str) -> None:
    """An account's balance: available, pending withdrawals, frozen."""
    b = app.lana().deposits.balance(app.actor(), parse_id(account_id, "account id"))
    show_one(fmt, b, "Balance (USD)", _balance_record, as_json=_balance_json)


@deposit.command("history")
@click.argument("account_id")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@format_option
@click.pass_obj
def history(app: AppContext, account_id: str, limit: int, fmt: str) -> None:
    """The account's ledger entries, newest first (+ money in, - money out)."""
    lines = app.lana().deposits.history(app.actor(), parse_id(account_id, "account id"), limit=limit)
    show_list(fmt, lines, "Account history (USD)", [
        Column("Effective", lambda h: h.effective_date),
        Column("Recorded", lambda h: when(h.recorded_at)),
        Column("Operation", lambda h: h.template_code),
        Column("Description", lambda h: h.description),
        Column("Layer", lambda h: h.layer),
        Column("Account", lambda h: h.account),
        Column("Amount", lambda h: usd(h.amount), numeric=True),
        Column("Transaction", lambda h: h.transaction_id),
    ], as_json=lambda h: {**asdict(h), "unit": UNIT})


@deposit.command("freeze")
@click.argument("account_id")
@click.option("--reason", required=True, help="Why (kept with the change).")
@format_option
@click.pass_obj
def freeze(app: AppContext, account_id: str, reason: str, fmt: str) -> None:
    """Freeze an account: its balance moves to the frozen account; no deposits or withdrawals."""
    _show_account(fmt, app.lana().deposits.freeze_account(app.actor(), parse_id(account_id, "account id"), reason))


@deposit.command("unfreeze")
@click.argument("account_id")
@format_option
@click.pass_obj
def unfreeze(app: AppContext, account_id: str, fmt: str) -> None:
    """Unfreeze an account: the frozen funds come back."""
    _show_account(fmt, app.lana().deposits.unfreeze_account(app.actor(), parse_id(account_id, "account id")))


@deposit.command("close")
@click.argument("account_id")
@format_option
@click.pass_obj
def close(app: AppContext, account_id: str, fmt: str) -> None:
    """Close an account for good (only at a zero balance)."""
    _show_account(fmt, app.lana().deposits.close_account(app.actor(), parse_id(account_id, "account id")))


@deposit.command("set-customer-status")
@click.argument("customer_id")
@click.option("--frozen/--active", "frozen", required=True,
              help="Freeze every active account of the customer, or unfreeze every frozen one.")
@click.option("--reason", default="", help="Why (for freezing).")
@format_option
@click.pass_obj
def set_customer_status(app: AppContext, customer_id: str, frozen: bool, reason: str, fmt: str) -> None:
    """Freeze or unfreeze all of a customer's accounts; shows the accounts changed."""
    changed = app.lana().deposits.set_customer_accounts_status(
        app.actor(), parse_id(customer_id, "customer id"), frozen=frozen, reason=reason)
    show_list(fmt, changed, "Accounts changed", ACCOUNT_COLUMNS, empty="no account needed a change")


# --- deposits -----------------------------------------------------------------------------

DEPOSIT_COLUMNS = [
    Column("Reference", lambda d: d.reference),
    Column("Amount", lambda d: usd(d.amount), numeric=True),
    Column("Status", lambda d: d.status),
    Column("Id", lambda d: d.id),
]


def _money_json(entity) -> dict:  # type: ignore[no-untyped-def]
    return entity_json(entity, unit=UNIT)


def _show_deposit(fmt: str, d) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, d, f"Deposit {d.reference}", lambda d: [
        ("id", d.id), ("reference", d.reference), ("account", d.account_id), ("amount", usd(d.amount)),
        ("status", d.status), ("ledger transactions", ", ".join(map(str, d.ledger_transaction_ids))),
    ], as_json=_money_json)


@deposit.command("record")
@click.argument("account_id")
@click.argument("amount")
@click.option("--reference", help="The payment's reference (default: DEP-xxxxxxxx).")
@click.option("--effective-date", type=DATE, help="The business date (default: today).")
@click.option("--idempotency-key", help="The payment's unique id (e.g. the wire's): a retry records it once.")
@format_option
@click.pass_obj
def record(app: AppContext, account_id: str, amount: str, reference: str | None, effective_date,  # type: ignore
           idempotency_key: str | None, fmt: str) -> None:
    """Record money received for an account (AMOUNT in dollars, e.g. 1250.50)."""
    aid, cents = parse_id(account_id, "account id"), parse_usd(amount)
    recorded = app.lana().deposits.record_deposit(app.actor(), aid, cents, reference=reference,
                                                  effective_date=effective_date, idempotency_key=idempotency_key)
    _show_deposit(fmt, recorded)


@deposit.command("revert")
@click.argument("deposit_id")
@format_option
@click.pass_obj
def revert(app: AppContext, deposit_id: str, fmt: str) -> None:
    """Revert a deposit recorded by mistake."""
    _show_deposit(fmt, app.lana().deposits.revert_deposit(app.actor(), parse_id(deposit_id, "deposit id")))


@deposit.command("deposits")
@click.argument("account_id")
@format_option
@click.pass_obj
def deposits(app: AppContext, account_id: str, fmt: str) -> None:
    """An account's deposits, oldest first."""
    found = app.lana().deposits.deposits(app.actor(), parse_id(account_id, "account id"))
    show_list(fmt, found, "Deposits", DEPOSIT_COLUMNS, as_json=_money_json)


# --- withdrawals --------------------------------------------------------------------------

WITHDRAWAL_COLUMNS = [
    Column("Reference", lambda w: w.reference),
    Column("Amount", lambda w: usd(w.amount), numeric=True),
    Column("Status", lambda w: w.status),
    Column("Account", lambda w: w.account_id),
    Column("Id", lambda w: w.id),
]


def _show_withdrawal(fmt: str, w) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, w, f"Withdrawal {w.reference}", lambda w: [
        ("id", w.id), ("reference", w.reference), ("account", w.account_id), ("amount", usd(w.amount)),
        ("status", w.status), ("approval process", w.approval_process_id), ("denial reason", w.denial_reason),
        ("ledger transactions", ", ".join(map(str, w.ledger_transaction_ids))),
    ], as_json=_money_json)


@deposit.command("withdraw")
@click.argument("account_id")
@click.argument("amount")
@click.option("--reference", help="The payout's reference (default: WD-xxxxxxxx).")
@click.option("--idempotency-key", help="The request's unique id: a retry starts it once.")
@format_option
@click.pass_obj
def withdraw(app: AppContext, account_id: str, amount: str, reference: str | None, idempotency_key: str | None,
             fmt: str) -> None:
    """Start a withdrawal (AMOUNT in dollars): the funds are reserved and the approval starts."""
    aid, cents = parse_id(account_id, "account id"), parse_usd(amount)
    lana, actor = app.lana(), app.actor()
    started = lana.deposits.initiate_withdrawal(actor, aid, cents, reference=reference,
                                                idempotency_key=idempotency_key)
    try:  # an automatic approval has already moved it on
        started = lana.deposits.withdrawal(actor, started.id)
    except PermissionDenied:
        pass
    _show_withdrawal(fmt, started)


def _withdrawal_step(verb: str, doc: str):  # type: ignore[no-untyped-def]
    @click.argument("withdrawal_id", metavar="ID")
    @format_option
    @click.pass_obj
    def step(app: AppContext, withdrawal_id: str, fmt: str) -> None:
        service = app.lana().deposits
        action = getattr(service, f"{verb}_withdrawal")
        _show_withdrawal(fmt, action(app.actor(), parse_id(withdrawal_id, "withdrawal id")))

    step.__doc__ = doc
    return deposit.command(f"{verb}-withdrawal")(step)


confirm_withdrawal = _withdrawal_step("confirm", "Confirm an approved withdrawal: the money was paid out.")
cancel_withdrawal = _withdrawal_step("cancel", "Cancel a withdrawal not yet paid out: the funds come back.")
revert_withdrawal = _withdrawal_step("revert", "Revert a confirmed withdrawal (the payout came back).")


@deposit.command("withdrawals")
@click.option("--account", "account_id", help="Only this account's withdrawals (account id).")
@click.option("--status", type=_enum(WithdrawalStatus))
@format_option
@click.pass_obj
def withdrawals(app: AppContext, account_id: str | None, status: str | None, fmt: str) -> None:
    """Withdrawals, oldest first."""
    found = app.lana().deposits.withdrawals(
        app.actor(), account_id=account_id and parse_id(account_id, "account id"),
        status=status and WithdrawalStatus(status),
    )
    show_list(fmt, found, "Withdrawals", WITHDRAWAL_COLUMNS, as_json=_money_json)


@deposit.command("withdrawal")
@click.argument("withdrawal_id", metavar="ID")
@format_option
@click.pass_obj
def withdrawal(app: AppContext, withdrawal_id: str, fmt: str) -> None:
    """One withdrawal: where it stands, its approval process and its ledger transactions."""
    _show_withdrawal(fmt, app.lana().deposits.withdrawal(app.actor(), parse_id(withdrawal_id, "withdrawal id")))

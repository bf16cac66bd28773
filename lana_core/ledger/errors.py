"""Why the ledger refused something. Each maps to one SQLSTATE raised by the database."""

from __future__ import annotations

import json

import psycopg

from lana_core.errors import InvalidInput, LanaError, NotFound
from lana_core.money import Currency, format_minor


class LedgerError(LanaError):
    pass


class InsufficientFunds(LedgerError):
    """An overdraft-protected account would go below zero (LN001)."""


class IdempotencyConflict(LedgerError):
    """The idempotency key was used before for a different transaction (LN002)."""


class UnbalancedTransaction(InvalidInput, LedgerError):
    """Debits and credits differ for some currency and layer, or there are no entries (LN003)."""


class AccountNotFound(NotFound, LedgerError):
    """No account, set or journal with that id or code (LN004)."""


class AccountLocked(LedgerError):
    """The account is locked and accepts no postings (LN005)."""


class JournalMismatch(LedgerError):
    """Accounts of one transaction, or a set and its members, belong to different journals (LN006)."""


class PeriodClosed(LedgerError):
    """The effective date falls in a closed period (LN007)."""


class DuplicateCode(LedgerError):
    """The code is already used by an account or account set (LN008)."""


class CyclicHierarchy(LedgerError):
    """The membership would make a set contain itself (LN009)."""


class ImmutableRecord(LedgerError):
    """Entries, transactions and history are append-only (LN900)."""


class AlreadyReversed(LedgerError):
    """A transaction can be reversed once."""


class DuplicateTransactionId(LedgerError):
    pass


_BY_SQLSTATE: dict[str, type[LedgerError]] = {
    "LN001": InsufficientFunds,
    "LN002": IdempotencyConflict,
    "LN003": UnbalancedTransaction,
    "LN004": AccountNotFound,
    "LN005": AccountLocked,
    "LN006": JournalMismatch,
    "LN007": PeriodClosed,
    "LN008": DuplicateCode,
    "LN009": CyclicHierarchy,
    "LN900": ImmutableRecord,
}


def translate(exc: psycopg.Error) -> LedgerError | None:
    """The ledger error a database error stands for, or None if it is not a ledger refusal."""
    state = exc.sqlstate or ""
    message = exc.diag.message_primary or str(exc)
    if state in _BY_SQLSTATE:
        raw = exc.diag.message_detail
        detail = json.loads(raw) if raw and raw.startswith("{") else {}
        if state == "LN001" and {"account_code", "currency", "balance_after"} <= detail.keys():
            currency = Currency(detail["currency"])
            message = (
                f"insufficient funds: account {detail['account_code']} would go to "
                f"{format_minor(int(detail['balance_after']), currency)} {currency} (settled)"
            )
        error = _BY_SQLSTATE[state](message)
        error.detail = detail
        return error
    if state == "23505":  # unique_violation
        constraint = exc.diag.constraint_name or ""
        if constraint == "transactions_reverses_transaction_id_key":
            return AlreadyReversed("that transaction has already been reversed")
        if constraint == "transactions_pkey":
            return DuplicateTransactionId("a transaction with that id already exists")
    return None

"""A double-entry ledger in the spirit of Cala.

Accounts (with a normal balance and controls) are grouped in account sets that form a
hierarchy; transactions are posted from templates, balance per currency and layer, carry an
effective date and an idempotency key, and are immutable once written.
"""

from lana_core.ledger.errors import (
    AccountLocked,
    AccountNotFound,
    AlreadyReversed,
    IdempotencyConflict,
    InsufficientFunds,
    LedgerError,
    PeriodClosed,
    UnbalancedTransaction,
)
from lana_core.ledger.model import (
    Account,
    AccountSet,
    AccountStatus,
    Balance,
    Direction,
    EntryLine,
    Layer,
    LayerTotals,
    PostedTransaction,
    Transaction,
)
from lana_core.ledger.postgres import MAIN_JOURNAL, Activity, Ledger, PostingRequest
from lana_core.ledger.templates import (
    EntryTemplate,
    Param,
    ParamType,
    Ref,
    TransactionTemplate,
    moving_amount,
)

__all__ = [
    "moving_amount",
    "MAIN_JOURNAL",
    "Account",
    "AccountLocked",
    "AccountNotFound",
    "AccountSet",
    "AccountStatus",
    "Activity",
    "AlreadyReversed",
    "Balance",
    "Direction",
    "EntryLine",
    "EntryTemplate",
    "IdempotencyConflict",
    "InsufficientFunds",
    "Layer",
    "LayerTotals",
    "Ledger",
    "LedgerError",
    "Param",
    "ParamType",
    "PeriodClosed",
    "PostedTransaction",
    "PostingRequest",
    "Ref",
    "Transaction",
    "TransactionTemplate",
    "UnbalancedTransaction",
]

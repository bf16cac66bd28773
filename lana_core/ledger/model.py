"""The ledger's value types and the pure rules every transaction must satisfy.

Nothing here touches the database: these are plain values and functions, tested without I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from lana_core.money import Currency


class Direction(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"

    @property
    def opposite(self) -> Direction:
        return Direction.CREDIT if self is Direction.DEBIT else Direction.DEBIT


class Layer(StrEnum):
    """settled: final; pending: in flight (e.g. reserved withdrawals); encumbrance: commitments."""

    SETTLED = "settled"
    PENDING = "pending"
    ENCUMBRANCE = "encumbrance"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"  # accepts no postings (e.g. a closed deposit account)


# An account is named by its id or by its code.
AccountRef = UUID | str


@dataclass(frozen=True)
class Journal:
    """A self-contained book. closed_through: postings dated on or before it are refused."""

    id: UUID
    code: str
    name: str
    description: str | None
    closed_through: date | None
    created_at: datetime


@dataclass(frozen=True)
class Account:
    """A ledger account.

    code: unique, human-readable name used by operators and templates.
    normal_balance: the side on which the account's balance is positive (assets: debit).
    prevent_overdraft: refuse postings that debit the settled layer below zero.
    external_id: the id of the business object it belongs to, if any.
    """

    id: UUID
    journal_id: UUID
    code: str
    name: str
    normal_balance: Direction
    status: AccountStatus
    prevent_overdraft: bool
    external_id: str | None
    description: str | None
    metadata: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class AccountSet:
    """A node of an account hierarchy (e.g. a chart-of-accounts node). Its balance is the sum of
    every account below it, presented on its own normal balance side."""

    id: UUID
    journal_id: UUID
    code: str
    name: str
    normal_balance: Direction
    description: str | None
    metadata: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class EntryLine:
    """One proposed line of a transaction. amount: positive integer minor units of currency."""

    account: AccountRef
    direction: Direction
    amount: int
    currency: Currency
    layer: Layer = Layer.SETTLED
    description: str | None = None


@dataclass(frozen=True)
class Entry:
    """A posted, immutable entry."""

    transaction_id: UUID
    index: int
    account_id: UUID
    currency: Currency
    layer: Layer
    direction: Direction
    amount: int
    description: str | None


@dataclass(frozen=True)
class Transaction:
    """A posted, immutable transaction.

    effective_date: the business date it belongs to (may be back-dated).
    recorded_at: when the ledger recorded it.
    reverses_transaction_id: set when this transaction is the correction of another.
    """

    id: UUID
    journal_id: UUID
    idempotency_key: str | None
    template_code: str | None
    params: dict[str, Any] | None
    effective_date: date
    recorded_at: datetime
    description: str | None
    metadata: dict[str, Any]
    reverses_transaction_id: UUID | None
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class PostedTransaction:
    """The outcome of a posting. replayed: the idempotency key matched an earlier, identical
    posting, whose id is returned and nothing new was written."""

    id: UUID
    replayed: bool


@dataclass(frozen=True)
class LayerTotals:
    """Debit and credit totals of one layer, in minor units."""

    dr: int = 0
    cr: int = 0

    def net(self, normal_balance: Direction) -> int:
        """The balance on the normal side: dr - cr for debit-normal, cr - dr for credit-normal."""
        return self.dr - self.cr if normal_balance is Direction.DEBIT else self.cr - self.dr

    def __add__(self, other: LayerTotals) -> LayerTotals:
        return LayerTotals(self.dr + other.dr, self.cr + other.cr)


@dataclass(frozen=True)
class Balance:
    """The balance of an account or account set in one currency.

    version: how many transactions touched the account (None for sets and as-of balances).
    """

    code: str
    currency: Currency
    normal_balance: Direction
    settled: LayerTotals = field(default_factory=LayerTotals)
    pending: LayerTotals = field(default_factory=LayerTotals)
    encumbrance: LayerTotals = field(default_factory=LayerTotals)
    version: int | None = None

    def layer(self, layer: Layer) -> LayerTotals:
        return getattr(self, layer.value)

    def amount(self, layer: Layer = Layer.SETTLED) -> int:
        """The normal-side balance of one layer."""
        return self.layer(layer).net(self.normal_balance)


# --- The rules of a valid transaction: each returns the problems it finds. ---

Rule = Callable[[Sequence[EntryLine]], list[str]]


def has_two_or_more_entries(entries: Sequence[EntryLine]) -> list[str]:
    return [] if len(entries) >= 2 else [f"a transaction needs at least two entries, got {len(entries)}"]


def amounts_are_positive_integers(entries: Sequence[EntryLine]) -> list[str]:
    return [
        f"entry {i}: amount must be a positive integer number of minor units, got {e.amount!r}"
        for i, e in enumerate(entries)
        if isinstance(e.amount, bool) or not isinstance(e.amount, int) or e.amount <= 0
    ]


def values_are_known(entries: Sequence[EntryLine]) -> list[str]:
    problems = []
    for i, e in enumerate(entries):
        if not isinstance(e.currency, Currency):
            problems.append(f"entry {i}: unknown currency {e.currency!r}")
        if not isinstance(e.layer, Layer):
            problems.append(f"entry {i}: unknown layer {e.layer!r}")
        if not isinstance(e.direction, Direction):
            problems.append(f"entry {i}: unknown direction {e.direction!r}")
        if not isinstance(e.account, UUID | str) or (isinstance(e.account, str) and not e.account):
            problems.append(f"entry {i}: account must be an id or a code, got {e.account!r}")
    return problems


def debits_equal_credits(entries: Sequence[EntryLine]) -> list[str]:
    """Per currency and per layer, so that every layer's trial balance balances on its own."""
    excess: dict[tuple[str, str], int] = defaultdict(int)
    for e in entries:
        sign = 1 if e.direction is Direction.DEBIT else -1
        excess[(str(e.currency), str(e.layer))] += sign * e.amount
    return [
        f"debits and credits differ in {currency} ({layer} layer): debits minus credits = {diff}"
        for (currency, layer), diff in sorted(excess.items())
        if diff != 0
    ]


RULES: tuple[Rule, ...] = (
    has_two_or_more_entries,
    values_are_known,
    amounts_are_positive_integers,
    debits_equal_credits,
)


def transaction_problems(entries: Sequence[EntryLine]) -> list[str]:
    """Every rule's problems; an empty list means the entries may be posted."""
    problems: list[str] = []
    for rule in RULES:
        problems.extend(rule(entries))
        if problems and rule is values_are_known:
            break  # later rules assume well-typed entries
    return problems


def reversal_of(entries: Sequence[Entry]) -> list[EntryLine]:
    """The lines that cancel a posted transaction: the same entries on the opposite side."""
    return [
        EntryLine(
            account=e.account_id,
            direction=e.direction.opposite,
            amount=e.amount,
            currency=e.currency,
            layer=e.layer,
            description=e.description,
        )
        for e in entries
    ]

"""Property-based: random sequences of postings and refusals against an independent model.

For every step the model predicts whether the ledger must accept or refuse it; the ledger must
agree, a refusal must leave no trace, and in the end every balance (current and as of any day)
must equal the model's and the stored invariants must hold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lana_core.db import Database
from lana_core.ledger import (
    AccountLocked,
    AccountNotFound,
    Direction,
    EntryLine,
    IdempotencyConflict,
    InsufficientFunds,
    Layer,
    LedgerError,
    PostingRequest,
)
from lana_core.ledger.invariants import check_ledger
from lana_core.money import Currency
from tests.conftest import fresh_database
from tests.support import ledger_state

# (code, normal balance, overdraft-protected)
ACCOUNTS = [
    ("OMNI", Direction.DEBIT, False),
    ("CASH", Direction.DEBIT, False),
    ("DEP.A", Direction.CREDIT, True),
    ("DEP.B", Direction.CREDIT, True),
    ("FEES", Direction.CREDIT, False),
]
NORMAL = {code: normal for code, normal, _ in ACCOUNTS}
PROTECTED = {code for code, _, protected in ACCOUNTS if protected}
BASE_DAY = date(2026, 1, 1)


@dataclass(frozen=True)
class Post:
    legs: tuple[tuple[str, str, int, Currency, Layer], ...]  # (debit, credit, amount, currency, layer)
    day: int
    key: int | None


@dataclass(frozen=True)
class Lock:
    code: str


@dataclass(frozen=True)
class Unlock:
    code: str


@dataclass(frozen=True)
class Reverse:
    which: int  # index into the transactions posted so far


@dataclass(frozen=True)
class PostToUnknownAccount:
    amount: int


codes = st.sampled_from([a[0] for a in ACCOUNTS])
leg = st.tuples(
    codes, codes, st.integers(1, 10_000), st.sampled_from(list(Currency)), st.sampled_from(list(Layer))
).filter(lambda t: t[0] != t[1])
operation = st.one_of(
    st.builds(Post, st.lists(leg, min_size=1, max_size=3).map(tuple), st.integers(0, 20),
              st.one_of(st.none(), st.integers(0, 4))),
    st.builds(Lock, codes),
    st.builds(Unlock, codes),
    st.builds(Reverse, st.integers(0, 30)),
    st.builds(PostToUnknownAccount, st.integers(1, 100)),
)


class Model:
    """What the ledger should hold: movements per (account, currency, layer, day)."""

    def __init__(self) -> None:
        self.moves: dict[tuple[str, Currency, Layer, date], list[int]] = defaultdict(lambda: [0, 0])
        self.locked: set[str] = set()
        self.keys: dict[int, tuple] = {}
        self.posted: list[tuple[tuple, date]] = []  # (legs, effective day) in posting order
        self.reversed: set = set()  # ids of transactions reversed

    def settled(self, code: str, currency: Currency) -> int:
        dr = sum(v[0] for (c, cur, layer, _), v in self.moves.items() if (c, cur, layer) == (code, currency, Layer.SETTLED))
        cr = sum(v[1] for (c, cur, layer, _), v in self.moves.items() if (c, cur, layer) == (code, currency, Layer.SETTLED))
        return dr - cr if NORMAL[code] is Direction.DEBIT else cr - dr

    def refusal(self, legs: tuple, key: int | None, content: tuple) -> type[LedgerError] | None | str:
        """The error the ledger must raise, None to accept, "replay" for an idempotent repeat."""
        if key is not None and key in self.keys:
            return "replay" if self.keys[key] == content else IdempotencyConflict
        touched = {code for debit, credit, *_ in legs for code in (debit, credit)}
        if touched & self.locked:
            return AccountLocked
        delta: dict[tuple[str, Currency], int] = defaultdict(int)
        for debit, credit, amount, currency, layer in legs:
            if layer is Layer.SETTLED:
                delta[(debit, currency)] += amount if NORMAL[debit] is Direction.DEBIT else -amount
                delta[(credit, currency)] += -amount if NORMAL[credit] is Direction.DEBIT else amount
        for (code, currency), change in delta.items():
            if code in PROTECTED and change < 0 and self.settled(code, currency) + change < 0:
                return InsufficientFunds
        return None

    def apply(self, legs: tuple, day: date) -> None:
        for debit, credit, amount, currency, layer in legs:
            self.moves[(debit, currency, layer, day)][0] += amount
            self.moves[(credit, currency, layer, day)][1] += amount
        self.posted.append((legs, day))

    def totals(self, code: str, currency: Currency, layer: Layer, as_of: date | None = None) -> tuple[int, int]:
        dr = cr = 0
        for (c, cur, lay, day), (d, k) in self.moves.items():
            if (c, cur, lay) == (code, currency, layer) and (as_of is None or day <= as_of):
                dr, cr = dr + d, cr + k
        return dr, cr


def _lines(legs: tuple) -> list[EntryLine]:
    out = []
    for debit, credit, amount, currency, layer in legs:
        out += [EntryLine(debit, Direction.DEBIT, amount, currency, layer),
                EntryLine(credit, Direction.CREDIT, amount, currency, layer)]
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_random_postings_keep_the_invariants_and_refusals_leave_no_trace(server, template_db, clock, operations):
    with fresh_database(server, template_db) as url, Database(url, clock=clock) as db:
        with db.unit_of_work() as uow:
            for code, normal, protected in ACCOUNTS:
                uow.ledger.create_account(code, code, normal, prevent_overdraft=protected)
            uow.commit()
        model = Model()
        posted_ids = []

        for op in operations:
            expected = None
            with db.unit_of_work() as uow:
                before = ledger_state(uow.conn)
            try:
                with db.unit_of_work() as uow:
                    if isinstance(op, Post):
                        day = BASE_DAY + timedelta(days=op.day)
                        expected = model.refusal(op.legs, op.key, (op.legs, day))
                        result = uow.ledger.post_many([PostingRequest(
                            entries=_lines(op.legs), description="p", effective_date=day,
                            idempotency_key=None if op.key is None else f"k{op.key}")])[0]
                        assert expected in (None, "replay"), f"expected {expected}, the ledger accepted"
                        assert result.replayed == (expected == "replay")
                        if not result.replayed:
                            model.apply(op.legs, day)
                            posted_ids.append((result.id, op.legs, day))
                            if op.key is not None:
                                model.keys[op.key] = (op.legs, day)
                    elif isinstance(op, Reverse):
                        if not posted_ids:
                            continue
                        tx_id, legs, day = posted_ids[op.which % len(posted_ids)]
                        swapped = tuple((c, d, a, cur, lay) for d, c, a, cur, lay in legs)
                        expected = "replay" if tx_id in model.reversed else model.refusal(swapped, None, ())
                        result = uow.ledger.reverse(tx_id, effective_date=day)
                        assert expected in (None, "replay"), f"expected {expected}, the ledger accepted"
                        if not result.replayed:
                            model.apply(swapped, day)
                            model.reversed.add(tx_id)
                    elif isinstance(op, Lock):
                        uow.ledger.lock_account(op.code)
                        model.locked.add(op.code)
                    elif isinstance(op, Unlock):
                        uow.ledger.unlock_account(op.code)
                        model.locked.discard(op.code)
                    elif isinstance(op, PostToUnknownAccount):
                        expected = AccountNotFound
                        uow.ledger.post_entries(
                            [EntryLine("CASH", Direction.DEBIT, op.amount, Currency.USD),
                             EntryLine(uuid4(), Direction.CREDIT, op.amount, Currency.USD)], description="x")
                        raise AssertionError("posting to an unknown account was accepted")
                    uow.commit()
            except LedgerError as refused:
                assert isinstance(refused, expected), f"expected {expected}, got {refused!r}"
                with db.unit_of_work() as uow:
                    assert ledger_state(uow.conn) == before, "a refused operation left a trace"

        with db.unit_of_work() as uow:
            assert check_ledger(uow.conn) == []
            days = sorted({day for _, day in model.posted}) or [BASE_DAY]
            probes = [None, days[0] - timedelta(days=1), *days]
            for code, _, protected in ACCOUNTS:
                for currency in Currency:
                    for as_of in probes:
                        balance = uow.ledger.balance(code, currency, as_of=as_of)
                        for layer in Layer:
                            t = balance.layer(layer)
                            assert (t.dr, t.cr) == model.totals(code, currency, layer, as_of), (code, currency, layer, as_of)
                    if protected:
                        assert uow.ledger.balance(code, currency).amount() >= 0

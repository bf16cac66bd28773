from uuid import uuid4

from lana_core.ledger import Direction, EntryLine, Layer
from lana_core.ledger.model import (
    Entry,
    LayerTotals,
    reversal_of,
    transaction_problems,
)
from lana_core.money import Currency

USD, BTC = Currency.USD, Currency.BTC


def line(account, direction, amount, currency=USD, layer=Layer.SETTLED):
    return EntryLine(account, Direction(direction), amount, currency, layer)


def test_a_balanced_transaction_has_no_problems():
    assert transaction_problems([line("a", "debit", 100), line("b", "credit", 100)]) == []


def test_debits_must_equal_credits_per_currency():
    problems = transaction_problems(
        [line("a", "debit", 100), line("b", "credit", 100, BTC), line("c", "credit", 100), line("d", "debit", 90, BTC)]
    )
    assert problems == ["debits and credits differ in BTC (settled layer): debits minus credits = -10"]


def test_debits_must_equal_credits_per_layer():
    problems = transaction_problems([line("a", "debit", 100), line("b", "credit", 100, layer=Layer.PENDING)])
    assert len(problems) == 2 and "pending layer" in problems[0] and "settled layer" in problems[1]


def test_amounts_are_positive_integers():
    problems = transaction_problems([line("a", "debit", 0), line("b", "credit", 0)])
    assert len(problems) == 2 and all("positive integer" in p for p in problems)
    assert transaction_problems([line("a", "debit", 1.5), line("b", "credit", 1.5)])  # type: ignore[arg-type]
    assert transaction_problems([line("a", "debit", -5), line("b", "credit", -5)])


def test_a_transaction_needs_two_entries():
    assert transaction_problems([line("a", "debit", 100)])[0].startswith("a transaction needs at least two")


def test_unknown_values_are_reported_before_arithmetic():
    bad = EntryLine("a", "sideways", 100, USD)  # type: ignore[arg-type]
    problems = transaction_problems([bad, line("b", "credit", 100)])
    assert problems == ["entry 0: unknown direction 'sideways'"]


def test_a_reversal_swaps_every_side():
    tx = uuid4()
    entries = [
        Entry(tx, 0, uuid4(), USD, Layer.SETTLED, Direction.DEBIT, 500, "x"),
        Entry(tx, 1, uuid4(), USD, Layer.SETTLED, Direction.CREDIT, 500, "x"),
    ]
    lines = reversal_of(entries)
    assert [ln.direction for ln in lines] == [Direction.CREDIT, Direction.DEBIT]
    assert [ln.account for ln in lines] == [e.account_id for e in entries]
    assert transaction_problems(lines) == []


def test_a_balance_is_read_on_the_normal_side():
    totals = LayerTotals(dr=300, cr=1000)
    assert totals.net(Direction.CREDIT) == 700
    assert totals.net(Direction.DEBIT) == -700

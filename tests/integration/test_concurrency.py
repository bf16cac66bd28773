"""Many writers at once on a few shared accounts, one of them hot."""

from __future__ import annotations

import random
import threading
from collections import Counter

from lana_core.ledger import Direction, EntryLine, InsufficientFunds, Layer, Ledger, PostingRequest
from lana_core.ledger.invariants import check_ledger
from lana_core.money import Currency

WORKERS = 8
OPERATIONS = 150
CUSTOMERS = ["C1", "C2", "C3", "C4"]


def _lines(debit: str, credit: str, amount: int, currency=Currency.USD, layer=Layer.SETTLED):
    return [EntryLine(debit, Direction.DEBIT, amount, currency, layer),
            EntryLine(credit, Direction.CREDIT, amount, currency, layer)]


def _random_request(rng: random.Random) -> PostingRequest:
    kind = rng.random()
    a, b = rng.sample(CUSTOMERS, 2)
    amount = rng.randint(1, 5_000)
    if kind < 0.3:  # deposit: through the hot omnibus
        lines = _lines("HOT", a, amount)
    elif kind < 0.6:  # withdrawal: may overdraw, then it is refused
        lines = _lines(a, "HOT", amount)
    elif kind < 0.8:  # customer to customer, both directions: lock order matters
        lines = _lines(a, b, amount)
    elif kind < 0.9:  # a reservation on two layers
        lines = _lines(a, "HOT", amount) + _lines("HOT", a, amount, layer=Layer.PENDING)
    else:  # collateral in BTC
        lines = _lines("BTC.OMNIBUS", f"BTC.{a}", amount * 1_000, Currency.BTC)
    return PostingRequest(entries=lines, description="load")


def test_concurrent_writers_finish_without_deadlock_and_keep_the_books_sound(db):
    with db.unit_of_work() as uow:
        L = uow.ledger
        L.create_account("HOT", "Hot omnibus", Direction.DEBIT)
        L.create_account("BTC.OMNIBUS", "Collateral omnibus", Direction.DEBIT)
        for c in CUSTOMERS:
            L.create_account(c, f"Customer {c}", Direction.CREDIT, prevent_overdraft=True)
            L.create_account(f"BTC.{c}", f"Collateral {c}", Direction.CREDIT)
        L.post_many([PostingRequest(entries=_lines("HOT", c, 20_000), description="seed") for c in CUSTOMERS])
        uow.commit()

    outcomes: Counter[str] = Counter()
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with db.connect() as conn:
            ledger = Ledger(conn, clock=db.clock)
            for _ in range(OPERATIONS):
                batch = [_random_request(rng) for _ in range(rng.choice([1, 1, 1, 3]))]
                try:
                    ledger.post_many(batch)
                    conn.commit()
                    outcome = "posted"
                except InsufficientFunds:
                    conn.rollback()
                    outcome = "refused"
                except BaseException as exc:  # a deadlock or anything else fails the test
                    conn.rollback()
                    with lock:
                        failures.append(exc)
                    return
                with lock:
                    outcomes[outcome] += len(batch) if outcome == "posted" else 1

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "workers did not finish: a lock wait that never ends"
    assert failures == []
    assert outcomes["posted"] > WORKERS * OPERATIONS // 2 and outcomes["refused"] > 0

    with db.unit_of_work() as uow:
        assert check_ledger(uow.conn) == []
        posted = uow.conn.execute("SELECT count(*) FROM ledger.transactions").fetchone()[0]
        assert posted == outcomes["posted"] + len(CUSTOMERS)
        for c in CUSTOMERS:
            assert uow.ledger.balance(c, Currency.USD).amount() >= 0
        hot = uow.ledger.balance("HOT", Currency.USD)
        customers = sum(uow.ledger.balance(c, Currency.USD).amount() for c in CUSTOMERS)
        assert hot.amount() == customers  # every cent in a customer account came through HOT
        assert hot.version == uow.conn.execute(
            "SELECT count(DISTINCT transaction_id) FROM ledger.entries e JOIN ledger.accounts a "
            "ON a.id = e.account_id WHERE a.code = 'HOT' AND e.currency = 'USD'"
        ).fetchone()[0]

"""Posting to the ledger on a real PostgreSQL: what is written, and what is refused."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import psycopg
import pytest

from lana_core.ledger import (
    AccountLocked,
    AccountNotFound,
    AlreadyReversed,
    Direction,
    EntryLine,
    EntryTemplate,
    IdempotencyConflict,
    InsufficientFunds,
    Layer,
    Param,
    ParamType,
    PeriodClosed,
    PostingRequest,
    Ref,
    TransactionTemplate,
    UnbalancedTransaction,
)
from lana_core.ledger.errors import DuplicateCode, ImmutableRecord, JournalMismatch
from lana_core.money import Currency
from tests.support import ledger_state, transfer

DEPOSIT = TransactionTemplate(
    code="TEST_DEPOSIT",
    description="Deposit {reference}",
    params=(
        Param("omnibus", ParamType.ACCOUNT),
        Param("customer", ParamType.ACCOUNT),
        Param("amount", ParamType.AMOUNT),
        Param("reference", ParamType.STRING),
    ),
    entries=(
        EntryTemplate(Ref("omnibus"), Direction.DEBIT, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("customer"), Direction.CREDIT, Ref("amount"), Currency.USD),
    ),
)

RESERVE = TransactionTemplate(
    code="TEST_RESERVE",
    description="Reserve {reference}",
    params=(
        Param("omnibus", ParamType.ACCOUNT),
        Param("customer", ParamType.ACCOUNT),
        Param("amount", ParamType.AMOUNT),
        Param("reference", ParamType.STRING),
    ),
    entries=(
        EntryTemplate(Ref("customer"), Direction.DEBIT, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("omnibus"), Direction.CREDIT, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("omnibus"), Direction.DEBIT, Ref("amount"), Currency.USD, Layer.PENDING),
        EntryTemplate(Ref("customer"), Direction.CREDIT, Ref("amount"), Currency.USD, Layer.PENDING),
    ),
)


@pytest.fixture
def books(db):
    with db.unit_of_work() as uow:
        uow.ledger.create_account("OMNIBUS", "Deposit omnibus", Direction.DEBIT)
        uow.ledger.create_account("ALICE", "Alice deposit", Direction.CREDIT, prevent_overdraft=True)
        uow.ledger.create_account("BOB", "Bob deposit", Direction.CREDIT, prevent_overdraft=True)
        uow.ledger.create_account("VAULT", "Vault", Direction.DEBIT)
        uow.ledger.create_account_set("DEPOSITS", "Customer deposits", Direction.CREDIT)
        uow.ledger.add_member("DEPOSITS", "ALICE")
        uow.commit()
    return db


def post(db, template, params, **kwargs):
    with db.unit_of_work() as uow:
        result = uow.ledger.post(template, params, **kwargs)
        uow.commit()
    return result


def state(db):
    with db.unit_of_work() as uow:
        return ledger_state(uow.conn)


def balance(db, code, currency=Currency.USD, **kwargs):
    with db.unit_of_work() as uow:
        return uow.ledger.balance(code, currency, **kwargs)


def deposit(amount, customer="ALICE", reference="r"):
    return {"omnibus": "OMNIBUS", "customer": customer, "amount": amount, "reference": reference}


def test_a_template_posting_records_its_template_params_and_entries(books, clock):
    posted = post(books, DEPOSIT, deposit(12_500, reference="D-1"), effective_date=date(2026, 2, 27))
    with books.unit_of_work() as uow:
        tx = uow.ledger.transaction(posted.id)
    assert tx.template_code == "TEST_DEPOSIT"
    assert tx.description == "Deposit D-1"
    assert tx.params == {"omnibus": "OMNIBUS", "customer": "ALICE", "amount": 12_500, "reference": "D-1"}
    assert tx.effective_date == date(2026, 2, 27)
    assert tx.recorded_at == clock.now()
    assert [(e.direction, e.amount, e.currency, e.layer) for e in tx.entries] == [
        (Direction.DEBIT, 12_500, Currency.USD, Layer.SETTLED),
        (Direction.CREDIT, 12_500, Currency.USD, Layer.SETTLED),
    ]
    assert balance(books, "ALICE").amount() == 12_500
    assert balance(books, "OMNIBUS").amount() == 12_500


def test_the_same_idempotency_key_and_content_returns_the_first_transaction(books):
    first = post(books, DEPOSIT, deposit(1_000), idempotency_key="dep-1")
    before = state(books)
    again = post(books, DEPOSIT, deposit(1_000), idempotency_key="dep-1")
    assert again.id == first.id and again.replayed and not first.replayed
    assert state(books) == before


def test_the_same_idempotency_key_with_other_content_is_refused_and_writes_nothing(books):
    first = post(books, DEPOSIT, deposit(1_000), idempotency_key="dep-1")
    before = state(books)
    with pytest.raises(IdempotencyConflict, match="dep-1") as caught:
        post(books, DEPOSIT, deposit(2_000), idempotency_key="dep-1")
    assert caught.value.detail["transaction_id"] == str(first.id)
    with pytest.raises(IdempotencyConflict):
        post(books, DEPOSIT, deposit(1_000), idempotency_key="dep-1", effective_date=date(2026, 1, 1))
    assert state(books) == before


def test_a_key_repeated_inside_one_batch_is_posted_once(books):
    request = PostingRequest(template=DEPOSIT, params=deposit(300), idempotency_key="k")
    with books.unit_of_work() as uow:
        results = uow.ledger.post_many([request, request])
        uow.commit()
    assert results[0].id == results[1].id and results[1].replayed
    assert balance(books, "ALICE").amount() == 300


def test_concurrent_postings_with_one_key_write_one_transaction(books):
    with books.connect() as first, books.connect() as second:
        from lana_core.ledger import Ledger

        a = Ledger(first, clock=books.clock).post(DEPOSIT, deposit(700), idempotency_key="same")
        # The second insert of the key waits for the first transaction to finish, then replays it.
        import threading

        result = {}
        worker = threading.Thread(
            target=lambda: result.setdefault(
                "b", Ledger(second, clock=books.clock).post(DEPOSIT, deposit(700), idempotency_key="same")
            )
        )
        worker.start()
        worker.join(0.3)
        assert worker.is_alive(), "the second posting should wait on the first one's key"
        first.commit()
        worker.join(5)
        second.commit()
    assert result["b"].id == a.id and result["b"].replayed
    assert balance(books, "ALICE").amount() == 700


def test_layers_are_kept_apart(books):
    post(books, DEPOSIT, deposit(10_000))
    post(books, RESERVE, deposit(2_500))
    alice = balance(books, "ALICE")
    assert alice.amount(Layer.SETTLED) == 7_500
    assert alice.amount(Layer.PENDING) == 2_500
    assert alice.amount(Layer.ENCUMBRANCE) == 0
    assert (alice.settled.dr, alice.settled.cr) == (2_500, 10_000)


def test_an_unbalanced_transaction_is_refused_and_writes_nothing(books):
    before = state(books)
    lines = transfer("VAULT", "OMNIBUS", 100)[:1] + transfer("VAULT", "OMNIBUS", 99)[1:]
    with pytest.raises(UnbalancedTransaction, match="debits minus credits = 1"):
        with books.unit_of_work() as uow:
            uow.ledger.post_entries(lines, description="bad")
    assert state(books) == before


def test_the_database_itself_refuses_an_unbalanced_batch(books):
    """Defence in depth: even a caller that skips the Python checks cannot unbalance the books."""
    before = state(books)
    with books.unit_of_work() as uow:
        account_id = uow.ledger.account("VAULT").id
        with pytest.raises(psycopg.Error, match="does not balance") as caught:
            uow.conn.execute(
                "SELECT * FROM ledger.post_transactions(%s::jsonb)",
                ('{"transactions": [{"ord": 1, "id": "%s", "journal_id": "%s", "content_hash": "x", '
                 '"effective_date": "2026-03-01", "recorded_at": "2026-03-01T00:00:00Z"}], '
                 '"entries": [{"tx_ord": 1, "entry_index": 0, "account_id": "%s", "currency": "USD", '
                 '"layer": "settled", "direction": "debit", "amount": 5}]}'
                 % (uuid4(), uow.ledger.journal().id, account_id),),
            )
        assert caught.value.sqlstate == "LN003"
    assert state(books) == before


def test_overdraft_prevention_refuses_the_posting_and_writes_nothing(books):
    post(books, DEPOSIT, deposit(1_000))
    before = state(books)
    with pytest.raises(InsufficientFunds, match=r"account ALICE would go to -0\.01 USD") as caught:
        post(books, RESERVE, deposit(1_001))
    assert caught.value.detail["balance_after"] == -1
    assert state(books) == before
    post(books, RESERVE, deposit(1_000))  # exactly to zero is fine
    assert balance(books, "ALICE").amount() == 0


def test_an_uncontrolled_account_may_go_negative(books):
    with books.unit_of_work() as uow:
        uow.ledger.post_entries(transfer("OMNIBUS", "VAULT", 50), description="overdrawn vault")
        uow.commit()
    assert balance(books, "VAULT").amount() == -50


def test_a_batch_is_all_or_nothing(books):
    before = state(books)
    requests = [
        PostingRequest(template=DEPOSIT, params=deposit(100, "BOB")),
        PostingRequest(template=RESERVE, params=deposit(5_000)),  # Alice has nothing
    ]
    with pytest.raises(InsufficientFunds, match="ALICE"):
        with books.unit_of_work() as uow:
            uow.ledger.post_many(requests)
    assert state(books) == before


def test_a_batch_sees_its_own_earlier_postings(books):
    with books.unit_of_work() as uow:
        uow.ledger.post_many(
            [PostingRequest(template=DEPOSIT, params=deposit(100)), PostingRequest(template=RESERVE, params=deposit(100))]
        )
        uow.commit()
    assert balance(books, "ALICE").amount() == 0
    with books.unit_of_work() as uow:
        history = uow.conn.execute(
            "SELECT h.version, h.settled_cr - h.settled_dr FROM ledger.balance_history h "
            "JOIN ledger.accounts a ON a.id = h.account_id WHERE a.code = 'ALICE' ORDER BY h.version"
        ).fetchall()
    assert history == [(1, 100), (2, 0)]


def test_unknown_accounts_are_refused(books):
    before = state(books)
    with pytest.raises(AccountNotFound, match="account NOBODY does not exist"):
        post(books, DEPOSIT, deposit(100, customer="NOBODY"))
    ghost = uuid4()
    with pytest.raises(AccountNotFound, match=f"account {ghost} does not exist"):
        with books.unit_of_work() as uow:
            uow.ledger.post_entries(
                [EntryLine("VAULT", Direction.DEBIT, 1, Currency.USD), EntryLine(ghost, Direction.CREDIT, 1, Currency.USD)],
                description="ghost",
            )
    assert state(books) == before


def test_a_locked_account_accepts_no_postings_until_unlocked(books):
    post(books, DEPOSIT, deposit(100))
    with books.unit_of_work() as uow:
        uow.ledger.lock_account("ALICE")
        uow.commit()
    before = state(books)
    with pytest.raises(AccountLocked, match="ALICE is locked"):
        post(books, DEPOSIT, deposit(100))
    assert state(books) == before
    with books.unit_of_work() as uow:
        uow.ledger.unlock_account("ALICE")
        uow.commit()
    post(books, DEPOSIT, deposit(100))
    assert balance(books, "ALICE").amount() == 200


def test_postings_into_a_closed_period_are_refused(books):
    post(books, DEPOSIT, deposit(100), effective_date=date(2026, 1, 15))
    with books.unit_of_work() as uow:
        uow.ledger.close_journal_through(date(2026, 1, 31))
        uow.commit()
    before = state(books)
    with pytest.raises(PeriodClosed, match="closed through 2026-01-31"):
        post(books, DEPOSIT, deposit(100), effective_date=date(2026, 1, 31))
    assert state(books) == before
    post(books, DEPOSIT, deposit(100), effective_date=date(2026, 2, 1))


def test_a_reversal_cancels_a_transaction_once(books):
    posted = post(books, DEPOSIT, deposit(4_200))
    with books.unit_of_work() as uow:
        reversal = uow.ledger.reverse(posted.id, effective_date=date(2026, 3, 2))
        uow.commit()
    assert balance(books, "ALICE").amount() == 0
    assert balance(books, "OMNIBUS").amount() == 0
    with books.unit_of_work() as uow:
        tx = uow.ledger.transaction(reversal.id)
        again = uow.ledger.reverse(posted.id, effective_date=date(2026, 3, 2))
    assert tx.reverses_transaction_id == posted.id
    assert again.replayed and again.id == reversal.id
    with pytest.raises(AlreadyReversed):
        with books.unit_of_work() as uow:
            uow.ledger.reverse(posted.id, idempotency_key="another-key")


def test_a_reversal_that_would_overdraw_is_refused(books):
    posted = post(books, DEPOSIT, deposit(1_000))
    post(books, RESERVE, deposit(600))
    with pytest.raises(InsufficientFunds):
        with books.unit_of_work() as uow:
            uow.ledger.reverse(posted.id)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger.entries SET amount = amount + 1",
        "DELETE FROM ledger.entries",
        "TRUNCATE ledger.entries CASCADE",
        "UPDATE ledger.transactions SET description = 'edited'",
        "DELETE FROM ledger.transactions",
        "UPDATE ledger.balance_history SET settled_cr = 0",
        "DELETE FROM ledger.balance_history",
        "DELETE FROM ledger.account_set_members",
        "TRUNCATE ledger.account_set_members",
        "DELETE FROM ledger.accounts",
        "DELETE FROM ledger.account_sets",
        "DELETE FROM ledger.journals",
    ],
)
def test_the_database_refuses_to_change_the_books(books, statement):
    post(books, DEPOSIT, deposit(100))
    with books.unit_of_work() as uow:
        with pytest.raises(psycopg.Error, match="append-only") as caught:
            uow.conn.execute(statement)
    assert caught.value.sqlstate == "LN900"


def test_an_accounts_identity_cannot_change(books):
    with books.unit_of_work() as uow:
        with pytest.raises(psycopg.Error) as caught:
            uow.conn.execute("UPDATE ledger.accounts SET normal_balance = 'debit' WHERE code = 'ALICE'")
    assert caught.value.sqlstate == "LN900"
    with pytest.raises(ImmutableRecord):
        from lana_core.ledger.errors import translate

        raise translate(caught.value)


def test_codes_are_unique_across_accounts_and_sets(books):
    with pytest.raises(DuplicateCode, match="ALICE"):
        with books.unit_of_work() as uow:
            uow.ledger.create_account_set("ALICE", "Shadow", Direction.CREDIT)


def test_a_transaction_stays_inside_its_journal(books):
    with books.unit_of_work() as uow:
        uow.ledger.create_journal("SHADOW", "Shadow book")
        uow.ledger.create_account("SHADOW.CASH", "Shadow cash", Direction.DEBIT, journal="SHADOW")
        uow.commit()
    with pytest.raises(JournalMismatch, match="another journal"):
        with books.unit_of_work() as uow:
            uow.ledger.post_entries(transfer("SHADOW.CASH", "VAULT", 10), description="cross-book")
    with books.unit_of_work() as uow:
        uow.ledger.post_entries(transfer("SHADOW.CASH", "SHADOW.CASH", 10), description="x", journal="SHADOW")
        uow.commit()


def test_every_warehouse_table_records_its_writing_transaction(books):
    post(books, DEPOSIT, deposit(100))
    with books.unit_of_work() as uow:
        xid = uow.conn.execute("SELECT lana_current_xact_id()").fetchone()[0]
        for table in ("ledger.transactions", "ledger.entries", "ledger.balance_history", "ledger.accounts"):
            written = uow.conn.execute(f"SELECT max(xact_id) FROM {table}").fetchone()[0]
            assert 0 < written < xid, table


def test_the_invariants_check_catches_an_entry_written_behind_the_ledgers_back(books):
    from lana_core.ledger.invariants import check_ledger

    post(books, DEPOSIT, deposit(100))
    with books.unit_of_work() as uow:
        assert check_ledger(uow.conn) == []
        account = uow.ledger.account("VAULT")
        uow.conn.execute(
            "INSERT INTO ledger.entries (transaction_id, entry_index, account_id, currency, layer, direction, "
            "amount, effective_date, recorded_at) VALUES (%s, 0, %s, 'USD', 'settled', 'debit', 5, "
            "'2026-03-01', now())",
            (uuid4(), account.id),
        )
        failed = {v.check for v in check_ledger(uow.conn)}
    assert "entries belong to a recorded transaction and an existing account" in failed
    assert "balances equal the sum of entries" in failed

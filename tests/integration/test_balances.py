"""Balances: current, as of any effective date (back-dated postings included), and rolled up
through account sets."""

from __future__ import annotations

from datetime import date

import pytest

from lana_core.ledger import Direction, Layer
from lana_core.ledger.errors import CyclicHierarchy
from lana_core.money import Currency
from tests.support import transfer

USD, BTC = Currency.USD, Currency.BTC


@pytest.fixture
def tree(db):
    """ASSETS > CASH > {VAULT, BANK};  ASSETS > LOANS > LOAN;  LIQUID also holds BANK (a DAG)."""
    with db.unit_of_work() as uow:
        L = uow.ledger
        L.create_account_set("ASSETS", "Assets", Direction.DEBIT)
        L.create_account_set("CASH", "Cash", Direction.DEBIT, member_of=["ASSETS"])
        L.create_account_set("LOANS", "Loans", Direction.DEBIT, member_of=["ASSETS"])
        L.create_account_set("LIQUID", "Liquid assets", Direction.DEBIT)
        L.create_account("VAULT", "Vault", Direction.DEBIT, member_of=["CASH"])
        L.create_account("BANK", "Bank", Direction.DEBIT, member_of=["CASH", "LIQUID"])
        L.create_account("LOAN", "Loan", Direction.DEBIT, member_of=["LOANS"])
        L.create_account("EQUITY", "Capital", Direction.CREDIT)
        L.create_account_set("EVERYTHING", "Both ways to BANK", Direction.DEBIT)
        L.add_member("EVERYTHING", "ASSETS")
        L.add_member("EVERYTHING", "LIQUID")
        uow.commit()
    return db


def post(db, lines, day, description="t"):
    with db.unit_of_work() as uow:
        uow.ledger.post_entries(lines, description=description, effective_date=day)
        uow.commit()


def bal(db, code, currency=USD, as_of=None, layer=Layer.SETTLED):
    with db.unit_of_work() as uow:
        return uow.ledger.balance(code, currency, as_of=as_of).amount(layer)


def test_balances_roll_up_to_every_ancestor(tree):
    post(tree, transfer("VAULT", "EQUITY", 100), date(2026, 3, 1))
    post(tree, transfer("BANK", "EQUITY", 1_000), date(2026, 3, 1))
    post(tree, transfer("LOAN", "BANK", 400), date(2026, 3, 1))
    assert bal(tree, "CASH") == 100 + 600
    assert bal(tree, "LOANS") == 400
    assert bal(tree, "ASSETS") == 1_100
    assert bal(tree, "LIQUID") == 600


def test_an_account_reached_by_two_paths_counts_once(tree):
    post(tree, transfer("BANK", "EQUITY", 250), date(2026, 3, 1))
    assert bal(tree, "EVERYTHING") == 250


def test_a_set_is_read_on_its_own_normal_side(tree):
    with tree.unit_of_work() as uow:
        uow.ledger.create_account_set("FUNDING", "Funding", Direction.CREDIT)
        uow.ledger.add_member("FUNDING", "EQUITY")
        uow.commit()
    post(tree, transfer("BANK", "EQUITY", 900), date(2026, 3, 1))
    assert bal(tree, "FUNDING") == 900
    assert bal(tree, "EQUITY") == 900


def test_as_of_balances_follow_effective_dates_including_back_dated_postings(tree):
    post(tree, transfer("BANK", "EQUITY", 1_000), date(2026, 3, 10))
    post(tree, transfer("BANK", "EQUITY", 50), date(2026, 3, 20))
    # Recorded last, effective first: it must change every as-of balance from March 1 on.
    post(tree, transfer("BANK", "EQUITY", 7), date(2026, 3, 1))
    assert bal(tree, "BANK", as_of=date(2026, 2, 28)) == 0
    assert bal(tree, "BANK", as_of=date(2026, 3, 1)) == 7
    assert bal(tree, "BANK", as_of=date(2026, 3, 9)) == 7
    assert bal(tree, "BANK", as_of=date(2026, 3, 10)) == 1_007
    assert bal(tree, "BANK", as_of=date(2026, 3, 19)) == 1_007
    assert bal(tree, "BANK", as_of=date(2026, 3, 20)) == 1_057
    assert bal(tree, "BANK") == 1_057
    assert bal(tree, "ASSETS", as_of=date(2026, 3, 15)) == 1_007


def test_balance_history_is_in_recording_order_while_as_of_is_in_effective_order(tree):
    post(tree, transfer("BANK", "EQUITY", 1_000), date(2026, 3, 10))
    post(tree, transfer("BANK", "EQUITY", 7), date(2026, 3, 1))
    with tree.unit_of_work() as uow:
        rows = uow.conn.execute(
            "SELECT h.version, h.effective_date, h.settled_dr FROM ledger.balance_history h "
            "JOIN ledger.accounts a ON a.id = h.account_id WHERE a.code = 'BANK' ORDER BY h.version"
        ).fetchall()
    assert rows == [(1, date(2026, 3, 10), 1_000), (2, date(2026, 3, 1), 1_007)]


def test_currencies_and_layers_are_separate_balances(tree):
    post(tree, transfer("BANK", "EQUITY", 5_000), date(2026, 3, 1))
    post(tree, transfer("BANK", "EQUITY", 150_000_000, BTC), date(2026, 3, 1))
    post(tree, transfer("BANK", "EQUITY", 40, layer=Layer.ENCUMBRANCE), date(2026, 3, 1))
    assert bal(tree, "BANK") == 5_000
    assert bal(tree, "BANK", BTC) == 150_000_000
    assert bal(tree, "ASSETS", BTC) == 150_000_000
    assert bal(tree, "BANK", layer=Layer.ENCUMBRANCE) == 40
    assert bal(tree, "BANK", layer=Layer.PENDING) == 0


def test_a_set_cannot_contain_itself(tree):
    with pytest.raises(CyclicHierarchy):
        with tree.unit_of_work() as uow:
            uow.ledger.add_member("CASH", "ASSETS")
    with pytest.raises(CyclicHierarchy):
        with tree.unit_of_work() as uow:
            uow.ledger.add_member("CASH", "CASH")


def test_balances_can_be_read_by_id_as_well_as_by_code(tree):
    post(tree, transfer("VAULT", "EQUITY", 12), date(2026, 3, 1))
    with tree.unit_of_work() as uow:
        vault = uow.ledger.account("VAULT")
        cash = uow.ledger.account_set("CASH")
        assert uow.ledger.balance(vault.id, USD).amount() == 12
        assert uow.ledger.balance(cash.id, USD).amount() == 12
        assert uow.ledger.balance(vault.id, USD).version == 1

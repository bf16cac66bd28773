"""A bank ready for business: the application over a fresh database, set up, with a superuser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from lana_core.access.domain import Actor
from lana_core.app import AppConfig, Lana
from lana_core.customer.domain import CustomerType, PersonalInfo
from lana_core.db import Database
from lana_core.setup import setup

KYC_SECRET = "kyc-webhook-test-secret"
ROOT = "root@bank.example"


@pytest.fixture
def bank(db: Database, tmp_path) -> Iterator[Lana]:
    app = Lana(db, AppConfig(kyc_webhook_secret=KYC_SECRET, document_folder=str(tmp_path / "documents")))
    setup(app, ROOT)
    yield app


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    """A warehouse folder of the test's own (raw.duckdb and Meltano's bookmarks), empty."""
    path = tmp_path / "warehouse"
    monkeypatch.setenv("LANA_WAREHOUSE_DIR", str(path))
    return path


@pytest.fixture
def root(bank: Lana) -> Actor:
    return bank.actor(ROOT)


def core_state(conn: psycopg.Connection) -> dict[str, object]:
    """Counts of everything an operation can write, and every balance: equal before and after a
    refused operation means it left no trace (no event, outbox message or ledger entry)."""
    state: dict[str, object] = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("core.events", "core.entities", "core.outbox", "ledger.transactions", "ledger.entries",
                      "ledger.accounts", "ledger.balance_history", "access.casbin_rules")
    }
    state["balances"] = conn.execute(
        "SELECT account_id, currency, settled_dr, settled_cr, pending_dr, pending_cr FROM ledger.balances "
        "ORDER BY 1, 2"
    ).fetchall()
    state["entities"] = conn.execute("SELECT stream_id, version FROM core.entities ORDER BY 1").fetchall()
    return state


def snapshot(app: Lana) -> dict[str, object]:
    with app.db.unit_of_work() as uow:
        return core_state(uow.conn)


def new_customer(app: Lana, actor: Actor, email: str = "alice@example.com",
                 customer_type: CustomerType = CustomerType.INDIVIDUAL):
    info = (PersonalInfo(first_name="Alice", last_name="Moreno", nationality="SV")
            if customer_type is CustomerType.INDIVIDUAL else PersonalInfo(company_name=f"{email} Holdings"))
    return app.customers.create(actor, email, customer_type, info)


def funded_account(app: Lana, actor: Actor, amount: int = 100_000_00, email: str = "alice@example.com"):
    customer = new_customer(app, actor, email)
    account = app.deposits.open_account(actor, customer.id)
    if amount:
        app.deposits.record_deposit(actor, account.id, amount)
    return customer, account

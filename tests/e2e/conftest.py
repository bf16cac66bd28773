"""A bank ready for operators: a fresh migrated database where ``lana setup`` has run.

``lana setup`` runs once per session, through the command line, into a template database;
each test gets a copy of it (as the root fixtures copy the migrated schema).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.conftest import fresh_database, with_dbname
from tests.e2e.cli import ROOT, Operator, lana


@pytest.fixture
def env(database_url: str, tmp_path) -> dict[str, str]:
    """The environment of every command: the test's database, its own state folder."""
    return {"LANA_DATABASE_URL": database_url, "LANA_HOME": str(tmp_path / "lana-home")}


@pytest.fixture(scope="session")
def bank_template(server: tuple[str, bool], template_db: str, tmp_path_factory) -> Iterator[str]:
    """A database copied from the migrated template, then set up by ``lana setup``."""
    server_url = server[0]
    name = f"lana_test_e2e_bank_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    try:
        home = tmp_path_factory.mktemp("lana-home")
        lana("setup", "--superuser", ROOT, env={"LANA_DATABASE_URL": with_dbname(server_url, name),
                                                "LANA_HOME": str(home)})
        yield name
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def root(server: tuple[str, bool], bank_template: str, tmp_path) -> Iterator[Operator]:
    """``lana --as root@bank.example`` on a bank of its own, set up."""
    with fresh_database(server, bank_template) as url:
        yield Operator({"LANA_DATABASE_URL": url, "LANA_HOME": str(tmp_path / "lana-home")}, ROOT)

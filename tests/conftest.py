"""Test fixtures: a real PostgreSQL server and a fresh, migrated database per test.

The server is the embedded one (its own data folder, ``.lana/pgdata-test``) unless
``LANA_TEST_DATABASE_URL`` names another server, on which the tests create and drop their own
databases. The schema is migrated once into a template database; each test gets a copy.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from lana_core.clock import FixedClock
from lana_core.config import Settings
from lana_core.db import Database
from lana_core.db.embedded import EmbeddedPostgres
from lana_core.db.migrate import migrate

TEMPLATE = "lana_test_template"

# The test cluster is disposable: durability only slows it down. (Benchmarks and the demo run
# on the default, durable settings.) wal_level=minimal makes CREATE DATABASE ... FILE_COPY cheap.
TEST_SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_connections": "200",
}
START = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def with_dbname(url: str, dbname: str) -> str:
    return make_conninfo(**(conninfo_to_dict(url) | {"dbname": dbname}))


@pytest.fixture(scope="session")
def server() -> tuple[str, bool]:
    """The URL of the test server's maintenance database, and whether it is our embedded one."""
    external = os.environ.get("LANA_TEST_DATABASE_URL")
    if external:
        return external, False
    embedded = EmbeddedPostgres(_test_pgdata())
    embedded.start()
    embedded.configure(TEST_SERVER_SETTINGS)
    return embedded.url("postgres"), True


def _test_pgdata() -> Path:
    """Where the test cluster lives: LANA_TEST_PGDATA, else a RAM disk when there is one (every
    test creates and drops a database: on a disk mounted with online discard, each of those
    hundreds of file creations costs up to a millisecond), else the project's state folder."""
    if os.environ.get("LANA_TEST_PGDATA"):
        return Path(os.environ["LANA_TEST_PGDATA"])
    home = Settings.from_env().home
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        tag = hashlib.sha256(str(home).encode()).hexdigest()[:10]
        return shm / f"lana-test-{tag}" / "pgdata"
    return home / "pgdata-test"


@pytest.fixture(scope="session")
def server_url(server: tuple[str, bool]) -> str:
    return server[0]


@pytest.fixture(scope="session")
def template_db(server_url: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    migrate(with_dbname(server_url, TEMPLATE))
    return TEMPLATE


@contextmanager
def fresh_database(server: tuple[str, bool], template: str) -> Iterator[str]:
    """A new database copied from the migrated template, dropped afterwards."""
    server_url, embedded = server
    name = f"lana_test_{uuid.uuid4().hex[:12]}"
    strategy = " STRATEGY FILE_COPY" if embedded else ""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')
    try:
        yield with_dbname(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(server: tuple[str, bool], template_db: str) -> Iterator[str]:
    with fresh_database(server, template_db) as url:
        yield url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def db(database_url: str, clock: FixedClock) -> Iterator[Database]:
    database = Database(database_url, clock=clock)
    yield database
    database.close()

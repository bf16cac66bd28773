"""Versioned migrations: applied once, in order; an edited migration is refused."""

from __future__ import annotations

import psycopg
import pytest

from lana_core.db.migrate import Migration, MigrationError, discover, migrate
from tests.conftest import with_dbname


@pytest.fixture
def empty_db(server_url):
    name = "lana_test_migrations"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield with_dbname(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_apply_once_in_order(empty_db):
    applied = migrate(empty_db)
    assert [m.version for m in applied] == [m.version for m in discover()] == sorted(m.version for m in applied)
    assert migrate(empty_db) == []
    with psycopg.connect(empty_db) as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM lana_schema_migrations ORDER BY version")]
    assert versions == [m.version for m in discover()]


def test_a_migration_changed_after_it_was_applied_is_refused(empty_db):
    migrations = discover()
    migrate(empty_db, migrations)
    edited = [*migrations[:-1], Migration(migrations[-1].version, migrations[-1].name, migrations[-1].sql + "\n-- edit")]
    with pytest.raises(MigrationError, match="was changed after it was applied"):
        migrate(empty_db, edited)


def test_a_failing_migration_leaves_nothing_of_itself(empty_db):
    good = discover()
    bad = Migration(999, "broken", "CREATE TABLE half_done (id int); SELECT 1/0;")
    with pytest.raises(psycopg.errors.DivisionByZero):
        migrate(empty_db, [*good, bad])
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT to_regclass('half_done')").fetchone()[0] is None
        assert conn.execute("SELECT max(version) FROM lana_schema_migrations").fetchone()[0] == good[-1].version

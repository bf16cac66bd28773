"""The database URL handed to tap-postgres: SQLAlchemy's form, which must name a host, a user
and a password even when libpq needs none of them."""

from __future__ import annotations

import pytest

from lana_core.warehouse.el import tap_url


@pytest.mark.parametrize(("database_url", "expected"), [
    # The embedded server: a unix socket folder, no password.
    ("postgresql://postgres@/lana?host=/work/.lana/pgdata",
     "postgresql+psycopg2://postgres:unused@localhost/lana?host=%2Fwork%2F.lana%2Fpgdata"),
    ("user=postgres dbname=lana_test_1 host=/dev/shm/x/pgdata port=5433",
     "postgresql+psycopg2://postgres:unused@localhost/lana_test_1?host=%2Fdev%2Fshm%2Fx%2Fpgdata&port=5433"),
    # A server over TCP, with a password that needs quoting and libpq options kept.
    ("postgresql://lana:p%40ss%3Aw0rd@db.internal:6432/core?sslmode=require",
     "postgresql+psycopg2://lana:p%40ss%3Aw0rd@db.internal:6432/core?sslmode=require"),
])
def test_the_tap_gets_a_sqlalchemy_url_for_the_same_server(database_url: str, expected: str, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    assert tap_url(database_url) == expected


def test_a_password_from_the_environment_is_passed_on(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "s3cret")
    assert tap_url("postgresql://lana@db/core") == "postgresql+psycopg2://lana:s3cret@db/core"

"""Versioned schema migrations: ``migrations/NNNN_name.sql``, applied once each, in order.

Applied versions are recorded in ``lana_schema_migrations`` with a checksum of their text; a
migration edited after it was applied is refused rather than silently skipped. A session-level
advisory lock keeps two migrators from racing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from lana_core.errors import LanaError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 7_415_263  # arbitrary, constant: the migrator's advisory lock


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(LanaError):
    pass


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        version = int(match.group(1))
        if version in migrations:
            raise MigrationError(f"two migrations share version {version:04d}")
        migrations[version] = Migration(version, match.group(2), path.read_text())
    return [migrations[v] for v in sorted(migrations)]


def pending(conn: psycopg.Connection, migrations: list[Migration] | None = None) -> list[Migration]:
    migrations = discover() if migrations is None else migrations
    applied = _applied(conn)
    for m in migrations:
        if m.version in applied and applied[m.version] != m.checksum:
            raise MigrationError(
                f"migration {m.version:04d}_{m.name} was changed after it was applied; "
                "add a new migration instead"
            )
    return [m for m in migrations if m.version not in applied]


def migrate(url: str, migrations: list[Migration] | None = None) -> list[Migration]:
    """Apply every pending migration; returns those applied now."""
    done: list[Migration] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            conn.execute(
                """CREATE TABLE IF NOT EXISTS lana_schema_migrations (
                       version     integer PRIMARY KEY,
                       name        text NOT NULL,
                       checksum    text NOT NULL,
                       applied_at  timestamptz NOT NULL DEFAULT now())"""
            )
            for m in pending(conn, migrations):
                with conn.transaction():
                    conn.execute(m.sql.encode())
                    conn.execute(
                        "INSERT INTO lana_schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                        (m.version, m.name, m.checksum),
                    )
                done.append(m)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return done


def _applied(conn: psycopg.Connection) -> dict[int, str]:
    exists = conn.execute("SELECT to_regclass('lana_schema_migrations')").fetchone()[0]
    if exists is None:
        return {}
    return dict(conn.execute("SELECT version, checksum FROM lana_schema_migrations").fetchall())

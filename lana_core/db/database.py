"""Connections and the unit of work.

A ``UnitOfWork`` is one PostgreSQL transaction: every write of a business operation (events,
outbox, ledger transaction) happens through it, and nothing is kept unless ``commit()`` is called
before the ``with`` block ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from uuid import UUID

import orjson
import psycopg
from psycopg.types.json import set_json_loads
from psycopg_pool import ConnectionPool

from lana_core.clock import Clock, SystemClock
from lana_core.config import Settings
from lana_core.db.embedded import EmbeddedPostgres
from lana_core.errors import LanaError
from lana_core.ids import new_id


def resolve_database_url(settings: Settings | None = None, *, start: bool = True) -> str:
    """``LANA_DATABASE_URL`` if set, else the embedded server's URL (started if ``start``)."""
    settings = settings or Settings.from_env()
    if settings.database_url:
        return settings.database_url
    server = EmbeddedPostgres(settings.pgdata)
    if start:
        return server.start()  # also when running: it makes sure the `lana` database exists
    if not server.status().running:
        raise LanaError("the embedded database is not running (start it with `lana db start`)")
    return server.url()


# jsonb comes back through orjson: several times faster than the standard library's parser,
# for the same values (the event store reads thousands of states a second).
set_json_loads(orjson.loads)


class Database:
    """A connection pool over one PostgreSQL database, and the clock its writes are stamped with."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock | None = None,
        ids: Callable[[], UUID] = new_id,
        max_connections: int = 8,
        session: Mapping[str, str] | None = None,
    ) -> None:
        self.url = url
        self.clock = clock or SystemClock()
        self.ids = ids  # the id factory: UUIDv7 by default, seeded ones in simulations
        self.session = dict(session or {})  # settings of every connection, e.g. synchronous_commit
        self._max = max_connections
        self._pool: ConnectionPool | None = None

    @property
    def pool(self) -> ConnectionPool:
        if self._pool is None:
            self._pool = ConnectionPool(
                self.url, min_size=1, max_size=self._max, open=True, name="lana",
                configure=self._configure if self.session else None,
            )
        return self._pool

    def _configure(self, conn: psycopg.Connection) -> None:
        for name, value in self.session.items():
            conn.execute("SELECT set_config(%s, %s, false)", (name, value))
        conn.commit()

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection:
        """A new connection of its own (for long-lived workers); the caller closes it."""
        conn = psycopg.connect(self.url, autocommit=autocommit)
        if self.session:
            self._configure(conn)
        return conn

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class UnitOfWork:
    """One database transaction. ``with db.unit_of_work() as uow: ...; uow.commit()``.

    Leaving the block without ``commit()`` (or with an exception) rolls everything back.
    Inside it: ``ledger`` (postings), ``events`` (the event store), ``outbox`` (messages for
    other contexts), all on the same connection, so they commit or vanish together.
    ``actor`` is who the events are recorded as caused by (``user:<id>``, ``system:<name>``).
    """

    def __init__(self, db: Database, conn: psycopg.Connection | None = None) -> None:
        self.db = db
        self.clock = db.clock
        self.actor = "system:lana"
        self._given_conn = conn
        self._conn: psycopg.Connection | None = None
        self._committed = False

    def acting_as(self, subject: str) -> None:
        self.actor = subject

    @property
    def conn(self) -> psycopg.Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open (use it in a `with` block)")
        return self._conn

    def __enter__(self) -> UnitOfWork:
        self._conn = self._given_conn or self.db.pool.getconn()
        self._committed = False
        from lana_core.eventsourcing import EventStore, Outbox
        from lana_core.ledger import Ledger

        self.ledger = Ledger(self._conn, clock=self.clock, ids=self.db.ids)
        self.events = EventStore(self._conn, self.clock, lambda: self.actor)
        self.outbox = Outbox(self._conn, self.clock)
        return self

    def commit(self) -> None:
        self.conn.commit()
        self._committed = True

    def rollback(self) -> None:
        self.conn.rollback()

    def __exit__(self, *exc: object) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if not self._committed or exc[0] is not None:
            conn.rollback()
        if self._given_conn is None:
            self.db.pool.putconn(conn)

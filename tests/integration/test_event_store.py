"""The event store on PostgreSQL: state rebuilt from events, and conflicts instead of lost updates."""

from __future__ import annotations

import threading
from uuid import uuid4

import psycopg
import pytest

from lana_core.access.domain import User
from lana_core.eventsourcing import ConcurrencyConflict
from lana_core.eventsourcing.store import DuplicateEntity


def test_an_entity_is_rebuilt_from_its_events_and_its_current_state_is_kept_beside_them(db):
    with db.unit_of_work() as uow:
        user = User.create(uuid4(), "Ann@Bank.Example", "Ann")
        user.assign_role("accountant")
        uow.events.save(user)
        uow.commit()
    with db.unit_of_work() as uow:
        loaded = uow.events.load(User, user.id)
        rows = uow.conn.execute(
            "SELECT version, event_type, actor FROM core.events WHERE stream_id = %s ORDER BY version", (user.id,)
        ).fetchall()
        state = uow.conn.execute("SELECT version, state FROM core.entities WHERE stream_id = %s", (user.id,)).fetchone()
    assert (loaded.email, loaded.roles, loaded.version) == ("ann@bank.example", frozenset({"accountant"}), 2)
    assert rows == [(1, "UserCreated", "system:lana"), (2, "RoleAssigned", "system:lana")]
    assert state == (2, {"id": str(user.id), "version": 2, "email": "ann@bank.example", "name": "Ann",
                         "roles": ["accountant"]})


def test_every_saved_state_is_kept_for_the_warehouse(db):
    with db.unit_of_work() as uow:
        user = User.create(uuid4(), "ann@bank.example", "Ann")
        uow.events.save(user)
        user.assign_role("accountant")
        user.assign_role("admin")
        uow.events.save(user)
        uow.commit()
    with db.unit_of_work() as uow:
        versions = uow.conn.execute(
            "SELECT version, state->'roles' FROM core.entity_versions WHERE stream_id = %s ORDER BY version",
            (user.id,)).fetchall()
        current = uow.conn.execute("SELECT version, state FROM core.entities WHERE stream_id = %s", (user.id,)).fetchone()
        last = uow.conn.execute("SELECT state FROM core.entity_versions WHERE stream_id = %s AND version = 3",
                                (user.id,)).fetchone()[0]
    # One row per save, at the version the save reached: the two roles came in one save.
    assert versions == [(1, []), (3, ["accountant", "admin"])]
    assert current == (3, last)


def test_a_stale_writer_gets_a_conflict_and_the_first_writer_keeps_its_change(db):
    with db.unit_of_work() as uow:
        user = User.create(uuid4(), "ann@bank.example")
        uow.events.save(user)
        uow.commit()
    with db.unit_of_work() as first, db.unit_of_work() as second:
        a = first.events.load(User, user.id)
        b = second.events.load(User, user.id)
        a.assign_role("accountant")
        b.assign_role("admin")
        first.events.save(a)
        first.commit()
        with pytest.raises(ConcurrencyConflict, match="changed by someone else"):
            second.events.save(b)
    with db.unit_of_work() as uow:
        assert uow.events.load(User, user.id).roles == frozenset({"accountant"})
        assert uow.conn.execute("SELECT count(*) FROM core.events WHERE stream_id = %s", (user.id,)).fetchone()[0] == 2


def test_two_concurrent_writers_on_one_entity_exactly_one_wins(db):
    """Both transactions are open at once; the second blocks on the first's version, then fails."""
    with db.unit_of_work() as uow:
        user = User.create(uuid4(), "ann@bank.example")
        uow.events.save(user)
        uow.commit()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def writer(role: str) -> None:
        with db.unit_of_work() as uow:
            loaded = uow.events.load(User, user.id)
            barrier.wait()  # both have read version 1
            loaded.assign_role(role)
            try:
                uow.events.save(loaded)
                uow.commit()
                outcomes[role] = "saved"
            except ConcurrencyConflict as exc:
                outcomes[role] = exc

    threads = [threading.Thread(target=writer, args=(r,)) for r in ("accountant", "admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    saved = [r for r, o in outcomes.items() if o == "saved"]
    conflicts = [o for o in outcomes.values() if isinstance(o, ConcurrencyConflict)]
    assert len(saved) == 1 and len(conflicts) == 1
    with db.unit_of_work() as uow:
        assert uow.events.load(User, user.id).roles == frozenset(saved)


def test_a_taken_unique_lookup_is_refused(db):
    with db.unit_of_work() as uow:
        uow.events.save(User.create(uuid4(), "ann@bank.example"))
        uow.commit()
    with pytest.raises(DuplicateEntity, match="ann@bank.example is already taken"):
        with db.unit_of_work() as uow:
            uow.events.save(User.create(uuid4(), "ANN@bank.example"))


@pytest.mark.parametrize("statement", [
    "UPDATE core.events SET payload = '{}'",
    "DELETE FROM core.events",
    "TRUNCATE core.events",
    "DELETE FROM core.entities",
    "DELETE FROM core.outbox",
])
def test_events_and_messages_cannot_be_changed_or_removed(db, statement):
    with db.unit_of_work() as uow:
        user = User.create(uuid4(), "ann@bank.example")
        uow.outbox.publish(*user.pending_events)
        uow.events.save(user)
        uow.commit()
    with db.unit_of_work() as uow:
        with pytest.raises(psycopg.Error, match="append-only"):
            uow.conn.execute(statement)

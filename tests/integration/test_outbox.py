"""The outbox: messages exist exactly when their transaction committed; consumers process each
one once, in commit-safe order, and resume after a crash where they stopped."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from uuid import uuid4

from lana_core.access.domain import UserCreated
from lana_core.eventsourcing import Message, run_consumer


@dataclass
class Recorder:
    name: str = "test.recorder"
    handles: tuple = (UserCreated,)
    fail_on: str | None = None

    def __post_init__(self) -> None:
        self.seen: list[str] = []

    def handle(self, uow, message: Message) -> None:  # type: ignore[no-untyped-def]
        if message.event.email == self.fail_on:
            raise RuntimeError(f"cannot handle {self.fail_on}")
        self.seen.append(message.event.email)


def publish(db, email: str, commit: bool = True) -> None:
    with db.unit_of_work() as uow:
        uow.outbox.publish(UserCreated(email, None))
        if commit:
            uow.commit()


def test_a_message_of_a_rolled_back_transaction_never_exists(db):
    publish(db, "kept@x.io")
    publish(db, "dropped@x.io", commit=False)
    consumer = Recorder()
    assert run_consumer(db, consumer).processed == 1
    assert consumer.seen == ["kept@x.io"]


def test_a_consumer_processes_each_message_once_in_order_and_remembers_where_it_stopped(db):
    for i in range(5):
        publish(db, f"u{i}@x.io")
    consumer = Recorder()
    assert run_consumer(db, consumer, limit=2).processed == 2
    assert run_consumer(db, consumer).processed == 3
    assert run_consumer(db, consumer).processed == 0
    assert consumer.seen == [f"u{i}@x.io" for i in range(5)]
    other = Recorder(name="test.other")  # each consumer has its own position
    run_consumer(db, other)
    assert other.seen == consumer.seen


def test_a_message_that_commits_late_is_not_skipped(db):
    """Transaction A writes first (lower position) but commits after B: the consumer must not
    pass over A's message when it reads B's."""
    a = db.unit_of_work().__enter__()
    a.outbox.publish(UserCreated("early-but-slow@x.io", None))
    publish(db, "late-but-fast@x.io")
    consumer = Recorder()
    assert run_consumer(db, consumer).processed == 0  # B waits: A is older and still running
    a.commit()
    a.__exit__(None, None, None)
    assert run_consumer(db, consumer).processed == 2
    assert sorted(consumer.seen) == ["early-but-slow@x.io", "late-but-fast@x.io"]
    assert run_consumer(db, consumer).processed == 0


def test_a_failing_message_stops_the_consumer_there_and_is_retried(db):
    for email in ("a@x.io", "bad@x.io", "c@x.io"):
        publish(db, email)
    consumer = Recorder(fail_on="bad@x.io")
    run = run_consumer(db, consumer)
    assert (run.processed, consumer.seen) == (1, ["a@x.io"])
    assert "cannot handle bad@x.io" in run.failed
    with db.unit_of_work() as uow:
        error, failures = uow.conn.execute(
            "SELECT last_error, failures FROM core.consumer_positions WHERE consumer = 'test.recorder'"
        ).fetchone()
    assert "cannot handle bad@x.io" in error and failures == 1
    consumer.fail_on = None
    assert run_consumer(db, consumer).processed == 2
    assert consumer.seen == ["a@x.io", "bad@x.io", "c@x.io"]


def test_messages_a_consumer_does_not_handle_are_stepped_over(db):
    @dataclass(frozen=True)
    class Unrelated(UserCreated):
        pass

    for i in range(250):  # more than a page of messages it does not handle
        with db.unit_of_work() as uow:
            uow.outbox.publish(Unrelated(f"n{i}@x.io", None))
            uow.commit()
    publish(db, "wanted@x.io")
    consumer = Recorder()
    assert run_consumer(db, consumer).processed == 1
    assert consumer.seen == ["wanted@x.io"]


def test_a_consumer_killed_midway_resumes_and_every_message_takes_effect_exactly_once(db, database_url):
    with db.unit_of_work() as uow:
        uow.conn.execute("CREATE TABLE test_effects (position bigint NOT NULL, email text NOT NULL)")
        uow.commit()
    emails = [f"{uuid4().hex[:6]}@x.io" for _ in range(20)]
    for email in emails:
        publish(db, email)
    with db.unit_of_work() as uow:
        positions = [p for (p,) in uow.conn.execute("SELECT position FROM core.outbox ORDER BY position")]
    kill_at = positions[7]

    def worker(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tests.integration.outbox_worker", database_url, *args],
                              capture_output=True, text=True, timeout=60)

    crashed = worker(str(kill_at))
    assert crashed.returncode == -9, crashed.stderr
    with db.unit_of_work() as uow:
        done = uow.conn.execute("SELECT count(*) FROM test_effects").fetchone()[0]
        stopped_at = uow.conn.execute(
            "SELECT last_position FROM core.consumer_positions WHERE consumer = 'test.effects'"
        ).fetchone()[0]
    assert done == 7 and stopped_at == positions[6]  # the 8th message's effect died with the process

    resumed = worker()
    assert resumed.returncode == 0 and resumed.stdout.strip() == "13", resumed.stderr
    with db.unit_of_work() as uow:
        effects = uow.conn.execute("SELECT position, email FROM test_effects ORDER BY position").fetchall()
    assert effects == list(zip(positions, emails, strict=True))

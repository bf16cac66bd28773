"""A consumer process for the crash test: ``python -m tests.integration.outbox_worker URL [KILL_AT]``.

It writes one effect row per message. With KILL_AT, it kills itself (SIGKILL: no cleanup, no
rollback of its own) after writing the effect of the message at that position and before the
commit, as a crash would.
"""

from __future__ import annotations

import os
import signal
import sys

from lana_core.access.domain import UserCreated
from lana_core.db import Database
from lana_core.eventsourcing import Message, run_consumer


class EffectWriter:
    name = "test.effects"
    handles = (UserCreated,)

    def __init__(self, kill_at: int | None) -> None:
        self.kill_at = kill_at

    def handle(self, uow, message: Message) -> None:  # type: ignore[no-untyped-def]
        uow.conn.execute("INSERT INTO test_effects (position, email) VALUES (%s, %s)",
                         (message.position, message.event.email))
        if message.position == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    url, kill_at = sys.argv[1], (int(sys.argv[2]) if len(sys.argv) > 2 else None)
    with Database(url) as db:
        run = run_consumer(db, EffectWriter(kill_at))
    print(run.processed)
    sys.exit(1 if run.failed else 0)

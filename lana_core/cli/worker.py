"""``lana worker``: the outbox consumers, run as a separate process.

By default every CLI command runs the consumers right after an operation that published
messages (LANA_INLINE_CONSUMERS=0 turns that off); a worker catches up on whatever is left,
e.g. after a consumer failed. Worker commands act as Lana itself: they need no ``--as``.
"""

from __future__ import annotations

import logging
import signal
import time

import click

from lana_core.cli.common import Column, say, show_list, when
from lana_core.cli.context import AppContext
from lana_core.cli.options import format_option
from lana_core.errors import LanaError


@click.group()
def worker() -> None:
    """The outbox consumers: run them, see where each stands."""


def _failure(run) -> str:  # type: ignore[no-untyped-def]
    return f"consumer {run.consumer} failed after {run.processed} message(s): {run.failed}"


@worker.command("run")
@click.option("--once", is_flag=True, help="Process what is ready and exit (status 1 if a consumer failed).")
@click.option("--interval", type=click.FloatRange(min=0.05), default=2.0, show_default=True,
              help="Seconds to sleep between rounds.")
@click.pass_obj
def run(app: AppContext, once: bool, interval: float) -> None:
    """Run every consumer until stopped (Ctrl-C or SIGTERM), or once with --once."""
    lana = app.lana()
    # Failures are reported here, one line each; the outbox's own warning would repeat them.
    logging.getLogger("lana_core.eventsourcing.outbox").setLevel(logging.ERROR)
    if once:
        runs = lana.run_consumers()
        for r in runs:
            if not r.failed:
                say(f"{r.consumer}: {r.processed} message(s) processed")
        failed = [r for r in runs if r.failed]
        if failed:
            raise LanaError("; ".join(_failure(r) for r in failed))
        return

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    say(f"worker started: {', '.join(c.name for c in lana.consumers)} (every {interval:g} s)")
    try:
        while not stopping:
            for r in lana.run_consumers():
                if r.failed:
                    say(_failure(r))
                elif r.processed:
                    say(f"{r.consumer}: {r.processed} message(s) processed")
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.1, interval))
    except KeyboardInterrupt:
        pass
    say("worker stopped")


@worker.command("status")
@format_option
@click.pass_obj
def status(app: AppContext, fmt: str) -> None:
    """Where each consumer stands: its position, messages processed, its last error."""
    lana = app.lana()
    with app.unit_of_work() as uow:
        rows = uow.conn.execute(
            """
            SELECT p.consumer, p.last_position, p.processed, p.failures, p.last_error, p.updated_at,
                   (SELECT count(*) FROM core.outbox o
                     WHERE (o.xact_id, o.position) > (p.last_xact_id, p.last_position))
              FROM core.consumer_positions p ORDER BY p.consumer
            """
        ).fetchall()
    keys = ("consumer", "position", "processed", "failures", "last_error", "updated_at", "messages_after")
    found = [dict(zip(keys, row)) for row in rows]
    known = {r["consumer"] for r in found}
    found += [dict(zip(keys, (c.name, 0, 0, 0, None, None, None))) for c in lana.consumers if c.name not in known]
    show_list(fmt, found, "Consumers", [
        Column("Consumer", lambda r: r["consumer"]),
        Column("Position", lambda r: r["position"], numeric=True),
        Column("Processed", lambda r: r["processed"], numeric=True),
        Column("Outbox after", lambda r: "" if r["messages_after"] is None else r["messages_after"], numeric=True),
        Column("Failures", lambda r: r["failures"], numeric=True),
        Column("Last error", lambda r: r["last_error"]),
        Column("Updated", lambda r: when(r["updated_at"])),
    ], as_json=lambda r: r, empty="no consumer has run yet")

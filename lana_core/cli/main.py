"""``lana``: the operator's entry point.

Data goes to stdout (tables, or JSON with ``--format json``); progress and messages go to
stderr. A refused operation prints one line, ``error: <why>``, and exits with status 1.
Set ``LANA_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import os
import sys

import click
import psycopg
from rich.text import Text

from lana_core.cli.context import AppContext, console, err_console
from lana_core.config import Settings
from lana_core.db.embedded import EmbeddedPostgres
from lana_core.db.migrate import discover, migrate, pending
from lana_core.errors import LanaError


@click.group(help=__doc__)
@click.version_option(package_name="lana")
@click.option("--as", "user", envvar="LANA_USER", metavar="EMAIL",
              help="The operator acting (RBAC applies). Default: $LANA_USER.")
@click.pass_context
def cli(ctx: click.Context, user: str | None) -> None:
    ctx.obj = AppContext(user)
    ctx.call_on_close(ctx.obj.close)


# --- database ----------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """The database: the embedded server, or the one LANA_DATABASE_URL names."""


@db.command("start")
def db_start() -> None:
    """Start the embedded PostgreSQL server (data under .lana/pgdata, kept across runs)."""
    settings = Settings.from_env()
    if settings.database_url:
        err_console.print("LANA_DATABASE_URL is set: using that server, nothing to start.")
        return
    server = EmbeddedPostgres(settings.pgdata)
    was_running = server.status().running
    with err_console.status("starting the embedded PostgreSQL server"):
        url = server.start()
    status = server.status()
    verb = "already running" if was_running else "started"
    err_console.print(f"PostgreSQL {status.postgres_version} {verb} (pid {status.pid}): {url}")


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL server."""
    settings = Settings.from_env()
    if settings.database_url:
        err_console.print("LANA_DATABASE_URL is set: Lana does not manage that server.")
        return
    stopped = EmbeddedPostgres(settings.pgdata).stop()
    err_console.print("stopped" if stopped else "the embedded server was not running")


@db.command("status")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def db_status(app: AppContext, fmt: str) -> None:
    """Whether the database is reachable, and which migrations are applied."""
    settings = Settings.from_env()
    info: dict[str, object] = {}
    if settings.database_url:
        info["server"] = "external (LANA_DATABASE_URL)"
        url = settings.database_url
    else:
        status = EmbeddedPostgres(settings.pgdata).status()
        info.update(server="embedded", pgdata=str(status.pgdata), running=status.running, pid=status.pid,
                    postgres_version=status.postgres_version)
        url = EmbeddedPostgres(settings.pgdata).url() if status.running else None
    if url:
        with psycopg.connect(url, connect_timeout=5) as conn:
            info["postgres"] = conn.execute("SHOW server_version").fetchone()[0]
            todo = pending(conn)
            info["migrations_applied"] = len(discover()) - len(todo)
            info["migrations_pending"] = [f"{m.version:04d}_{m.name}" for m in todo]
    app.emit(info, fmt)


@db.command("url")
def db_url() -> None:
    """Print the database URL (starting the embedded server if needed)."""
    from lana_core.db import resolve_database_url

    click.echo(resolve_database_url())


@cli.command("migrate")
def migrate_cmd() -> None:
    """Apply pending schema migrations, in order, each once."""
    from lana_core.db import resolve_database_url

    applied = migrate(resolve_database_url())
    for m in applied:
        err_console.print(f"applied {m.version:04d}_{m.name}")
    err_console.print(f"schema up to date ({len(discover())} migrations)")


# --- the main job ------------------------------------------------------------------------


@cli.command("demo")
@click.pass_obj
def demo_cmd(app: AppContext) -> None:
    """The main job: start the database, migrate, set the bank up, run a month of operations
    (customers, KYC, deposits, an approved withdrawal, manual entries), show the trial balance."""
    from lana_core.cli.render import print_trial_balance
    from lana_core.db import resolve_database_url
    from lana_core.demo import SUPERUSER, run_demo
    from lana_core.money import Currency

    with err_console.status("starting the database") as status:
        url = resolve_database_url()
        status.update("applying migrations")
        migrate(url)
        lana = app.lana()
        result = run_demo(lana, on_step=lambda step: status.update(step))
    admin = lana.actor(SUPERUSER)
    today = lana.clock.today()
    err_console.print(f"database: {url}\nacting as {SUPERUSER} (superuser)")
    for line in result.created or ["the demo bank was already loaded: nothing new"]:
        err_console.print(f"  {line}")
    for currency in (Currency.USD, Currency.BTC):
        print_trial_balance(console, lana.accounting.trial_balance(admin, today.replace(day=1), today, currency))
    err_console.print(f"try: lana --as {SUPERUSER} customer list   (or export LANA_USER={SUPERUSER})")


def _register_groups() -> None:
    from lana_core.cli.access import access
    from lana_core.cli.accounting import accounting
    from lana_core.cli.config import config
    from lana_core.cli.credit import credit
    from lana_core.cli.custody import custody
    from lana_core.cli.customer import customer
    from lana_core.cli.deposit import deposit
    from lana_core.cli.governance import governance
    from lana_core.cli.jobs import jobs
    from lana_core.cli.ledger import ledger
    from lana_core.cli.price import price
    from lana_core.cli.report import report
    from lana_core.cli.serve import serve
    from lana_core.cli.setup import setup_cmd
    from lana_core.cli.worker import worker

    cli.add_command(setup_cmd)
    cli.add_command(serve)
    for group in (access, customer, deposit, governance, accounting, ledger, report, config, worker, price, custody, credit, jobs):
        cli.add_command(group)


_register_groups()


def main() -> None:
    debug = os.environ.get("LANA_DEBUG", "") not in ("", "0")
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except LanaError as exc:
        if debug:
            raise
        _fail(str(exc), 1)
    except psycopg.OperationalError as exc:
        if debug:
            raise
        _fail(f"cannot reach the database: {_first_line(str(exc))}", 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:  # a bug: still one line, the traceback on request
        if debug:
            raise
        _fail(f"unexpected {type(exc).__name__}: {_first_line(str(exc))} (LANA_DEBUG=1 shows the traceback)", 2)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _fail(message: str, code: int) -> None:
    err_console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)
    sys.exit(code)


if __name__ == "__main__":
    main()

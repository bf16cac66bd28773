"""``lana``: the operator's entry point.

Data goes to stdout (tables, or JSON with ``--format json``); progress and messages go to
stderr. A refused operation prints one line, ``error: <why>``, and exits with status 1.
Set ``LANA_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import dataclasses
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
@click.option("--customers", type=click.IntRange(1, 100_000), default=150, show_default=True,
              help="A smaller (or larger) demo bank.")
@click.option("--months", type=click.IntRange(1, 120), default=12, show_default=True)
@click.option("--pipeline/--no-pipeline", default=True, show_default=True,
              help="Then extract-load the bank into the warehouse and build the marts (`lana pipeline run`).")
@click.pass_obj
def demo_cmd(app: AppContext, customers: int, months: int, pipeline: bool) -> None:
    """The main job: start the database, migrate, simulate the demo bank (a year of 150
    customers through the real services: `lana simulate --seed 2026 --customers 150 --start-date
    2025-07-01`), show its summary and the last month's trial balance, then run the data
    pipeline (extract-load, dbt build) and check the warehouse's trial balance against the core's.
    Running it again changes nothing in the bank."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from lana_core.cli.render import print_trial_balance
    from lana_core.cli.simulate import print_summary
    from lana_core.db import resolve_database_url
    from lana_core.demo import DEMO, SUPERUSER, run_demo
    from lana_core.money import Currency

    with err_console.status("starting the database") as status:
        url = resolve_database_url()
        status.update("applying migrations")
        migrate(url)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
                  TimeElapsedColumn(), console=err_console) as progress:
        task = progress.add_task("simulating the demo bank", total=None)
        spec = dataclasses.replace(DEMO, customers=customers)
        result = run_demo(url, spec=spec, months=months, on_day=lambda day, done, total: progress.update(
            task, completed=done, total=total, description=f"simulated {day}"))
    if not result.simulated_days:
        err_console.print("the demo bank was already simulated: nothing new")
    print_summary(result.summary, spec)
    lana = app.lana()
    admin = lana.actor(SUPERUSER)
    last = result.summary.simulated_through or result.last
    for currency in (Currency.USD, Currency.BTC):
        print_trial_balance(console, lana.accounting.trial_balance(admin, last.replace(day=1), last, currency))
    err_console.print(f"database: {url}\ntry: lana --as {SUPERUSER} credit list   (or export LANA_USER={SUPERUSER})")
    if pipeline:
        _demo_pipeline(lana, admin, last)


def _demo_pipeline(lana, admin, last) -> None:  # type: ignore[no-untyped-def]
    """The data platform over the demo bank: extract-load and build; the warehouse's trial balance
    of the last month compared with the core's, line by line, in both currencies; the
    data-quality gates; then every report as of the last simulated day, each as a report run of
    the core, and where their files are."""
    import duckdb

    from lana_core.cli.pipeline import _build, _extract_load
    from lana_core.money import Currency
    from lana_core.warehouse.el import warehouse_dir
    from lana_core.warehouse.quality import check_marts, check_raw
    from reports import storage, warehouse
    from reports.execute import execute_run

    _extract_load("dev")
    _build("dev", full_refresh=False)
    marts = warehouse_dir() / "lana.duckdb"
    with duckdb.connect(str(marts), read_only=True) as wh:
        for currency in (Currency.USD, Currency.BTC):
            core = lana.accounting.trial_balance(admin, last.replace(day=1), last, currency)
            rows = {code: tuple(rest) for code, *rest in wh.execute(
                "SELECT node_code, opening, debits, credits, closing FROM trial_balance "
                "WHERE period_start = ? AND currency = ? AND layer = 'settled'", [last.replace(day=1), currency.value]).fetchall()}
            expected = {line.code: (line.opening, line.debits, line.credits, line.closing) for line in core.lines}
            if rows != expected:
                differ = sorted(code for code in expected.keys() | rows.keys() if rows.get(code) != expected.get(code))
                raise LanaError(f"the warehouse's {currency.value} trial balance differs from the core's at "
                                f"{', '.join(differ[:5])}")
            err_console.print(f"warehouse: the {currency.value} trial balance of {last:%Y-%m} equals the core's "
                              f"({len(rows)} lines)")
    with err_console.status("data-quality gates (Great Expectations)"):
        gates = [check_raw(warehouse_dir()), check_marts(warehouse_dir())]
    for gate in gates:
        err_console.print(gate.message().splitlines()[0].split("; Data Docs")[0], soft_wrap=True)
        gate.raise_for_failures()  # no report from data that failed a gate
    source, target = warehouse.from_environment("dev"), storage.from_environment("dev")
    with err_console.status(f"reports as of {last}") as status:
        produced = []
        for definition in lana.reports.definitions(admin):
            status.update(f"reports as of {last}: {definition.id}")
            requested = lana.reports.request_run(admin, definition.id, last)
            produced.append(execute_run(lana, requested.id, warehouse=source, storage=target))
    from pathlib import Path

    for run in produced:  # each run's folder (<reports>/<run id>/<norm>/) and its files
        folder = Path(run.files[0].location).parent
        err_console.print(f"{run.definition_id:<38} {folder}/  {', '.join(f.name for f in run.files)}", soft_wrap=True)
    err_console.print(f"marts: {marts}\nData Docs: {gates[-1].data_docs}\n"
                      f"reports: {len(produced)} runs as of {last}, files above", soft_wrap=True)


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
    from lana_core.cli.pipeline import pipeline
    from lana_core.cli.price import price
    from lana_core.cli.report import report
    from lana_core.cli.serve import serve
    from lana_core.cli.setup import setup_cmd
    from lana_core.cli.simulate import simulate
    from lana_core.cli.worker import worker

    cli.add_command(setup_cmd)
    cli.add_command(serve)
    cli.add_command(simulate)
    for group in (access, customer, deposit, governance, accounting, ledger, report, config, worker, price, custody, credit, jobs,
                  pipeline):
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

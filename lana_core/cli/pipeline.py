"""``lana pipeline``: the data platform's steps over the core's database: extract-load into the
warehouse's raw layer (Meltano), then build and test the models (dbt)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from lana_core.cli.common import print_json
from lana_core.cli.context import console, err_console
from lana_core.cli.options import format_option

environment_option = click.option(
    "--environment", type=click.Choice(["dev", "prod"]), default="dev", show_default=True,
    help="dev: the DuckDB files in $LANA_WAREHOUSE_DIR; prod: BigQuery ($LANA_BQ_*, see .env.template).")
full_refresh_option = click.option(
    "--full-refresh", is_flag=True, help="Rebuild the incremental models from the whole raw layer.")


@click.group()
def pipeline() -> None:
    """The data platform: extract-load the core's tables into the warehouse, build the marts."""


@contextmanager
def _step(title: str) -> Iterator:  # type: ignore[type-arg]
    """A live line on stderr for one step (transient: the summary replaces it)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console,
                  transient=True) as progress:
        task = progress.add_task(title, total=None)
        yield lambda text: progress.update(task, description=f"{title}: {text}")


def _extract_load(environment: str):  # type: ignore[no-untyped-def]
    from lana_core.db import resolve_database_url
    from lana_core.warehouse.el import extract_load

    with _step(f"1/2 extract-load ({environment})") as say:
        say("starting Meltano (the first run installs it)")
        result = extract_load(resolve_database_url(), environment=environment,
                              on_progress=lambda table, rows: say(f"raw.{table} {rows:,} rows"))
    rate = result.total / result.seconds if result.seconds else 0.0
    err_console.print(f"extract-load: {result.total:,} rows in {result.seconds:.1f} s ({rate:,.0f} rows/s)")
    return result


def _build(environment: str, full_refresh: bool):  # type: ignore[no-untyped-def]
    from lana_core.warehouse.el import warehouse_dir
    from lana_core.warehouse.transform import build

    done: list[str] = []
    with _step("2/2 dbt build") as say:
        def on_progress(node: str, status: str) -> None:
            done.append(node)
            say(f"{len(done)} done, last {node} ({status})")

        result = build(warehouse_dir(), target=environment, full_refresh=full_refresh, on_progress=on_progress)
    err_console.print(f"dbt build: {result.models} models, {result.tests} tests in {result.seconds:.1f} s")
    return result


@pipeline.command("el")
@environment_option
@format_option
def el(environment: str, fmt: str) -> None:
    """Extract what changed since the last run (every table the warehouse reads, commit-safe:
    a transaction that commits late is never skipped) and load it into the raw layer, upserted
    on each table's key (meltano.yml). Safe to repeat; a run that is interrupted is caught up by
    the next. The first run installs Meltano and its plugins (.lana/meltano, .meltano)."""
    from lana_core.warehouse.el import warehouse_dir

    result = _extract_load(environment)
    if fmt == "json":
        print_json({"environment": result.environment, "warehouse": str(warehouse_dir()), "rows": result.rows,
                    "total": result.total, "seconds": result.seconds})
        return
    from rich.table import Table

    table = Table("table", "rows written" if environment == "dev" else "rows read", box=None)
    for name, rows in result.rows.items():
        table.add_row(f"raw.{name}", f"{rows:,}")
    table.add_row("total", f"{result.total:,}", style="bold")
    console.print(table)


@pipeline.command("build")
@environment_option
@full_refresh_option
@format_option
def build_cmd(environment: str, full_refresh: bool, fmt: str) -> None:
    """Build the dbt models from the raw layer as it is, and run their data tests. The
    incremental models take only what the raw layer gained since the last build."""
    result = _build(environment, full_refresh)
    _print_summary(fmt, None, result)


@pipeline.command("run")
@environment_option
@full_refresh_option
@format_option
def run_cmd(environment: str, full_refresh: bool, fmt: str) -> None:
    """Extract-load, then build and test the models: the warehouse as of now. Safe to re-run,
    and after a crash at any point: the next run ends with the warehouse an uninterrupted run
    leaves (the EL resumes from its last bookmark and overwrites what it re-reads; each model is
    replaced or merged whole)."""
    loaded = _extract_load(environment)
    built = _build(environment, full_refresh)
    _print_summary(fmt, loaded, built)


def _print_summary(fmt: str, loaded, built) -> None:  # type: ignore[no-untyped-def]
    from lana_core.warehouse.el import warehouse_dir

    summary = {
        "warehouse": str(warehouse_dir()),
        **({"extract_load": {"rows": loaded.rows, "total": loaded.total, "seconds": loaded.seconds}} if loaded else {}),
        "build": {"models": built.models, "tests": built.tests, "seconds": round(built.seconds, 3)},
    }
    if fmt == "json":
        print_json(summary)
        return
    if loaded:
        console.print(f"extract-load  {loaded.total:>12,} rows  {loaded.seconds:8.1f} s")
    console.print(f"dbt build     {built.models:>5} models, {built.tests} tests passed  {built.seconds:8.1f} s")
    console.print(f"warehouse     {summary['warehouse']}")

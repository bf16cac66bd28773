"""``lana report``: the reports Lana produces, and requests to run them."""

from __future__ import annotations

from dataclasses import asdict

import click

from lana_core.cli.common import Column, parse_id, show_list, show_one
from lana_core.cli.context import AppContext
from lana_core.cli.options import DATE, format_option
from lana_core.report.domain import RunStatus


@click.group()
def report() -> None:
    """Regulatory and management reports: definitions and runs (the data platform executes them)."""


@report.command("definitions")
@format_option
@click.pass_obj
def definitions(app: AppContext, fmt: str) -> None:
    """The reports operators may request."""
    show_list(fmt, app.lana().reports.definitions(app.actor()), "Report definitions", [
        Column("Id", lambda d: d.id),
        Column("Name", lambda d: d.name),
        Column("As of", lambda d: "required" if d.as_of else ""),
        Column("Outputs", lambda d: ", ".join(d.outputs)),
        Column("Source", lambda d: d.source),
    ], as_json=asdict)


RUN_COLUMNS = [
    Column("Report", lambda r: r.definition_id),
    Column("As of", lambda r: r.as_of_date),
    Column("Status", lambda r: r.status),
    Column("Trigger", lambda r: r.trigger),
    Column("Files", lambda r: len(r.files), numeric=True),
    Column("Id", lambda r: r.id),
]


def _show_run(fmt: str, run) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, run, f"Report run {run.id}", lambda r: [
        ("id", r.id), ("report", r.definition_id), ("as of", r.as_of_date), ("status", r.status),
        ("trigger", r.trigger), ("external id", r.external_id), ("failure", r.failure),
        ("files", "\n".join(f"{f.name} ({f.format}, {f.size:,} bytes): {f.location}" for f in r.files)),
    ])


@report.command("request")
@click.argument("definition_id")
@click.option("--as-of", "as_of", type=DATE, help="The day the report describes (for reports that need one).")
@format_option
@click.pass_obj
def request(app: AppContext, definition_id: str, as_of, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """Request a run of a report (it starts pending)."""
    _show_run(fmt, app.lana().reports.request_run(app.actor(), definition_id, as_of))


@report.command("runs")
@click.option("--status", type=click.Choice([s.value for s in RunStatus]))
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@format_option
@click.pass_obj
def runs(app: AppContext, status: str | None, limit: int, fmt: str) -> None:
    """Report runs, newest first."""
    found = app.lana().reports.runs(app.actor(), status=status and RunStatus(status), limit=limit)
    show_list(fmt, found, "Report runs", RUN_COLUMNS)


@report.command("show")
@click.argument("run_id")
@format_option
@click.pass_obj
def show(app: AppContext, run_id: str, fmt: str) -> None:
    """One report run: where it stands and the files it produced."""
    _show_run(fmt, app.lana().reports.run(app.actor(), parse_id(run_id, "report run id")))


@report.command("run")
@click.argument("definition_id")
@click.option("--as-of", "as_of", type=DATE, help="The day the report describes.")
@click.option("--environment", type=click.Choice(["dev", "prod"]), default="dev", show_default=True,
              help="dev: the DuckDB warehouse ($LANA_WAREHOUSE_DIR), files under $LANA_HOME/reports; "
                   "prod: BigQuery ($LANA_BQ_*), files in the bucket $LANA_REPORTS_BUCKET.")
@format_option
@click.pass_obj
def run(app: AppContext, definition_id: str, as_of, environment: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """Request a run of a report and carry it out now: read the warehouse, write every file (XML
    checked against the regulator's XSD in $LANA_SSF_XSD_DIR), publish them together, record the
    outcome on the run. Prints the run and where its files are."""
    from lana_core.cli.context import err_console
    from reports import storage, warehouse
    from reports.execute import execute_run

    source, target = warehouse.from_environment(environment), storage.from_environment(environment)
    lana = app.lana()
    requested = lana.reports.request_run(app.actor(), definition_id, as_of)
    err_console.print(f"report run {requested.id}: producing {definition_id} as of {as_of} into {target}")
    done = execute_run(lana, requested.id, warehouse=source, storage=target)
    _show_run(fmt, done)

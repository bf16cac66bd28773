"""Carrying out a report run the core recorded: what ``lana report run`` does after requesting
one, and what the orchestrator does for runs requested through the core.

``execute_run`` starts the run in the core (``ReportService.start_run``, as the report runner),
produces and publishes its files (``reports.run.run_report``), then records the outcome:
``complete_run`` with the files, or ``fail_run`` with the reason, which is then raised as
``ReportRunFailed``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from lana_core.errors import LanaError
from lana_core.report.domain import ReportRun
from reports.run import run_report
from reports.storage import Storage
from reports.warehouse import Warehouse

if TYPE_CHECKING:
    from lana_core.app import Lana


class ReportRunFailed(LanaError):
    """A report run failed and is recorded so in the core. run: the run as recorded (its
    ``failure`` is the reason)."""

    def __init__(self, run: ReportRun) -> None:
        self.run = run
        super().__init__(f"report run {run.id} ({run.definition_id}, as of {run.as_of_date}) failed: {run.failure}")


def execute_run(app: Lana, run_id: UUID, *, warehouse: Warehouse, storage: Storage,
                schemas: Path | str | None = None, external_id: str | None = None) -> ReportRun:
    """Carry out the pending report run ``run_id``: its files are published under the run's id
    (``<storage>/<run id>/``); returns the completed run. ``external_id``: the orchestrator's
    own id for this execution, recorded on the run. Raises ReportRunFailed when the run fails
    (the core then holds the reason); a run that is not pending is refused untouched."""
    run = app.reports.start_run(run_id, external_id)
    try:
        if run.as_of_date is None:
            raise LanaError(f"report {run.definition_id} needs an as-of date")
        published = run_report(run.definition_id, run.as_of_date, warehouse, storage, str(run.id), schemas=schemas)
    except Exception as error:
        reason = str(error) if isinstance(error, LanaError) else f"{type(error).__name__}: {error}"
        raise ReportRunFailed(app.reports.fail_run(run_id, reason)) from error
    return app.reports.complete_run(run_id, list(published.files))

"""Operations on report runs: operators request them; the data platform runs them and reports back."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from lana_core.access.domain import Actor
from lana_core.report.domain import ReportDefinition, ReportFile, ReportRun, RunStatus, definition, definitions

if TYPE_CHECKING:
    from lana_core.app import Lana

REPORT_RUNNER = Actor.system("report-runner")


class ReportService:
    def __init__(self, app: Lana) -> None:
        self.app = app

    def definitions(self, actor: Actor) -> list[ReportDefinition]:
        with self.app.operation(actor, "report/report-definition/*", "report:report-definition:list"):
            return list(definitions().values())

    def request_run(self, actor: Actor, definition_id: str, as_of_date: date | None = None, *,
                    trigger: str = "manual") -> ReportRun:
        with self.app.operation(actor, f"report/report-run/{definition_id}", "report:report-run:create") as uow:
            run = ReportRun.request(self.app.db.ids(), definition(definition_id), as_of_date,
                                    self.app.clock.today(), trigger)
            uow.outbox.publish(*uow.events.save(run))
            return run

    def runs(self, actor: Actor, *, status: RunStatus | None = None, limit: int = 100) -> list[ReportRun]:
        with self.app.operation(actor, "report/report-run/*", "report:report-run:list") as uow:
            return uow.events.find_all(ReportRun, "(%s::text IS NULL OR state->>'status' = %s)", (status, status),
                                       order="created_at DESC, stream_id", limit=limit)

    def run(self, actor: Actor, run_id: UUID) -> ReportRun:
        with self.app.operation(actor, f"report/report-run/{run_id}", "report:report-run:read") as uow:
            return uow.events.load(ReportRun, run_id)

    # --- the executor's side (the data platform, acting as system:report-runner) ----------

    def start_run(self, run_id: UUID, external_id: str | None = None) -> ReportRun:
        return self._update(run_id, lambda run: run.start(external_id))

    def complete_run(self, run_id: UUID, files: list[ReportFile]) -> ReportRun:
        return self._update(run_id, lambda run: run.complete(files))

    def fail_run(self, run_id: UUID, reason: str) -> ReportRun:
        return self._update(run_id, lambda run: run.fail(reason))

    def _update(self, run_id: UUID, change) -> ReportRun:  # type: ignore[no-untyped-def]
        with self.app.operation(REPORT_RUNNER, f"report/report-run/{run_id}", "report:report-run:update") as uow:
            run = uow.events.load(ReportRun, run_id)
            change(run)
            uow.events.save(run)
            return run

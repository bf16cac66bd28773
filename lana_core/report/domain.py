"""Report definitions and report runs. Plain Python: no database here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources
from uuid import UUID

import yaml

from lana_core.errors import InvalidInput, LanaError, NotFound
from lana_core.eventsourcing import Aggregate, Event


@dataclass(frozen=True)
class ReportDefinition:
    """id: ``norm/name``; norm: the rule or audience; source: the mart it reads; as_of: a run
    needs an as-of date; outputs: the file formats produced."""

    id: str
    norm: str
    name: str
    source: str
    as_of: bool
    outputs: tuple[str, ...]


@cache
def definitions() -> dict[str, ReportDefinition]:
    data = yaml.safe_load(resources.files("lana_core.report").joinpath("definitions.yml").read_text())
    found = {}
    for item in data["reports"]:
        definition = ReportDefinition(item["id"], item["norm"], item["name"], item["source"],
                                      bool(item.get("as_of", False)), tuple(item["outputs"]))
        found[definition.id] = definition
    return found


def definition(definition_id: str) -> ReportDefinition:
    try:
        return definitions()[definition_id]
    except KeyError:
        raise NotFound(f"there is no report {definition_id!r} (see `lana report definitions`)") from None


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class ReportError(LanaError):
    pass


@dataclass(frozen=True)
class ReportFile:
    """One produced file: name, format (csv, xml, ...), where it is (path or URL), its size
    in bytes and its sha256."""

    name: str
    format: str
    location: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ReportRunRequested(Event):
    run_id: UUID
    definition_id: str
    as_of_date: date | None
    trigger: str  # manual or scheduled


@dataclass(frozen=True)
class ReportRunStarted(Event):
    external_id: str | None  # the orchestrator's run id


@dataclass(frozen=True)
class ReportRunCompleted(Event):
    files: tuple[ReportFile, ...]


@dataclass(frozen=True)
class ReportRunFailed(Event):
    reason: str


class ReportRun(Aggregate):
    """One request to produce a report, and how it went: pending, running, completed (with its
    files) or failed (with the reason)."""

    stream_type = "report_run"
    event_types = (ReportRunRequested, ReportRunStarted, ReportRunCompleted, ReportRunFailed)

    definition_id: str
    as_of_date: date | None
    trigger: str
    status: RunStatus
    external_id: str | None
    files: tuple[ReportFile, ...]
    failure: str | None

    @classmethod
    def request(cls, id: UUID, report: ReportDefinition, as_of_date: date | None, today: date,
                trigger: str = "manual") -> ReportRun:
        if report.as_of and as_of_date is None:
            raise InvalidInput(f"report {report.id} needs an as-of date")
        if not report.as_of and as_of_date is not None:
            raise InvalidInput(f"report {report.id} takes no as-of date")
        if as_of_date is not None and as_of_date >= today:
            raise InvalidInput(f"the as-of date must be a day that has ended (before {today})")
        run = cls(id)
        run._record(ReportRunRequested(id, report.id, as_of_date, trigger))
        return run

    def start(self, external_id: str | None) -> None:
        if self.status is not RunStatus.PENDING:
            raise ReportError(f"report run {self.id} is {self.status}, not pending")
        self._record(ReportRunStarted(external_id))

    def complete(self, files: list[ReportFile]) -> None:
        if self.status is not RunStatus.RUNNING:
            raise ReportError(f"report run {self.id} is {self.status}, not running")
        self._record(ReportRunCompleted(tuple(files)))

    def fail(self, reason: str) -> None:
        if self.status in (RunStatus.COMPLETED, RunStatus.FAILED):
            raise ReportError(f"report run {self.id} has already ended ({self.status})")
        self._record(ReportRunFailed(reason or "unknown failure"))

    def _apply(self, event: Event) -> None:
        match event:
            case ReportRunRequested(_, definition_id, as_of_date, trigger):
                self.definition_id, self.as_of_date, self.trigger = definition_id, as_of_date, trigger
                self.status, self.external_id, self.files, self.failure = RunStatus.PENDING, None, (), None
            case ReportRunStarted(external_id):
                self.status, self.external_id = RunStatus.RUNNING, external_id
            case ReportRunCompleted(files):
                self.status, self.files = RunStatus.COMPLETED, files
            case ReportRunFailed(reason):
                self.status, self.failure = RunStatus.FAILED, reason

"""The transform step: dbt builds the warehouse's models from its raw layer, and tests them.

``build(warehouse_dir, target=...)`` runs ``dbt build`` on ``dbt_project/`` in this process
(dbt's programmatic runner), reporting each model and test as it finishes. Unit tests of the
models' logic are the test suite's business (``tests/warehouse``), not the pipeline's: a build
runs the models and their data tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from lana_core.errors import LanaError

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


class TransformFailed(LanaError):
    pass


@dataclass
class BuildResult:
    """models / tests: how many ran; failures: the nodes that failed or errored, with why;
    seconds: how long the build took."""

    models: int = 0
    tests: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


@contextmanager
def _environment(values: dict[str, str]):  # type: ignore[no-untyped-def]
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build(warehouse_dir: Path, *, target: str = "dev", full_refresh: bool = False, select: str | None = None,
          on_progress: Callable[[str, str], None] = lambda name, status: None) -> BuildResult:
    """Build and test the models; ``on_progress(node, status)`` after each one. Raises
    TransformFailed naming the failed nodes (the models that succeeded stay built)."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    return _invoke(args, warehouse_dir, target, on_progress)


def run_unit_tests(warehouse_dir: Path, *, target: str = "dev") -> BuildResult:
    """The models' unit tests (their logic on fixed inputs); they need the models built once."""
    return _invoke(["test", "--select", "test_type:unit"], warehouse_dir, target, lambda name, status: None)


def _release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after a command, holding the
    warehouse file, and the raw file it attaches, locked: the next extract-load (another process)
    could not write the raw layer, nor a reader open the marts read-only. Close it."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # no DuckDB adapter installed: nothing held
        return
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def _invoke(args: list[str], warehouse_dir: Path, target: str, on_progress: Callable[[str, str], None]) -> BuildResult:
    import time

    from dbt.cli.main import dbtRunner

    result = BuildResult()

    def on_event(event) -> None:  # type: ignore[no-untyped-def]
        if event.info.name != "NodeFinished":
            return
        node = event.data.node_info
        kind, status = node.resource_type, node.node_status
        if kind not in ("model", "test", "unit_test"):
            return
        result.models += kind == "model"
        result.tests += kind != "model"
        if status in ("error", "fail"):
            result.failures.append(f"{node.node_name}: {status}")
        on_progress(node.node_name, status)

    warehouse_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with _environment({"LANA_WAREHOUSE_DIR": str(warehouse_dir), "DO_NOT_TRACK": "1",
                       "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}):
        try:
            outcome = dbtRunner(callbacks=[on_event]).invoke([
                *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--target", target,
                "--no-version-check", "--quiet"])
        finally:
            _release_duckdb()
    result.seconds = time.perf_counter() - started
    if outcome.exception is not None:
        raise TransformFailed(f"dbt could not run: {outcome.exception}")
    if not outcome.success:
        raise TransformFailed(f"dbt {args[0]} failed: " + "; ".join(result.failures or ["see dbt's log"]))
    return result

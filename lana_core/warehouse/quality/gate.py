"""Running the suites: load each batch from the warehouse, validate it with Great Expectations,
and say which expectation failed on which rows.

``run_suite(name, warehouse_dir)`` checks one suite and returns a ``GateResult`` (what a Dagster
asset check reports: blocking when ``success`` is false). ``check_raw`` and ``check_marts``
check every suite of a layer, and publish the results as Data Docs (``docs.py``).

Great Expectations runs here on pandas DataFrames in an ephemeral context: its SQL engine
cannot read DuckDB (through duckdb-engine every metric fails, see ARCHITECTURE). The batches
are read with the project's duckdb from read-only attachments of the warehouse files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from time import perf_counter
from typing import Any

import duckdb
import great_expectations as gx
import numpy as np
import pandas as pd
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.data_context import EphemeralDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from lana_core.errors import LanaError
from lana_core.warehouse.quality.docs import publish_data_docs
from lana_core.warehouse.quality.suites import (
    MART_SUITES,
    RAW,
    RAW_SUITES,
    SUITES,
    Bounds,
    Suite,
)

SAMPLE_ROWS = 20  # offending rows kept per failed expectation
LOGGED_ROWS = 3  # of which the one-line message shows

# The warehouse files and the names they are attached under (those the suites' queries use).
_FILES = {"raw": ("raw.duckdb", "lana_raw"), "marts": ("lana.duckdb", "lana")}


class GateFailed(LanaError):
    """A data-quality gate failed; the message has one line per failed expectation."""


@dataclass(frozen=True)
class FailedExpectation:
    """One expectation the data did not meet. expectation: its Great Expectations type
    (``expect_column_values_to_be_between``); column: the column it checks, or the columns
    joined by ", " for one over several (None for one over the table); unexpected_count: how many
    rows failed it (None when it looks at no rows, e.g. a column's type); rows: a sample of the
    offending rows (up to SAMPLE_ROWS), each with the suite's key columns and the checked values;
    observed: what was found instead, when there are no rows to show (e.g. the column's type
    ``float64``); error: why the expectation could not be evaluated, if it could not."""

    expectation: str
    column: str | None
    unexpected_count: int | None
    rows: tuple[dict[str, Any], ...]
    observed: str | None = None
    error: str | None = None

    def describe(self) -> str:
        """One line: the expectation, its column, how many rows failed and a few of them."""
        what = f"{self.expectation}({self.column or ''})"
        if self.error:
            return f"{what} could not be evaluated: {self.error}"
        if self.unexpected_count is None:
            return f"{what} failed" + (f": observed {self.observed}" if self.observed is not None else "")
        shown = "; ".join(", ".join(f"{k}={_text(v)}" for k, v in row.items()) for row in self.rows[:LOGGED_ROWS])
        more = f" (+{self.unexpected_count - LOGGED_ROWS} more)" if self.unexpected_count > LOGGED_ROWS else ""
        return f"{what} failed on {self.unexpected_count} row(s): {shown}{more}"


@dataclass(frozen=True)
class GateResult:
    """One suite's run. suite: its name; success: every expectation held; table: the warehouse
    table checked (``raw.<table>`` or ``marts.<mart>``); rows: how many rows its batch had (for
    the trial balance: period, currency and layer groups); expectations: how many were evaluated;
    failures: the failed ones, with their offending rows; seconds: load plus validation time;
    validation: Great Expectations' own result (what the Data Docs render)."""

    suite: str
    success: bool
    table: str
    rows: int
    expectations: int
    failures: tuple[FailedExpectation, ...]
    seconds: float
    validation: ExpectationSuiteValidationResult = field(repr=False, compare=False)

    def message(self) -> str:
        """For a log: a summary line, then one line per failed expectation."""
        if self.success:
            return f"{self.suite}: passed ({self.expectations} expectations, {self.rows} rows of {self.table})"
        return "\n".join([f"{self.suite}: FAILED {len(self.failures)} of {self.expectations} expectations "
                          f"on {self.table} ({self.rows} rows)",
                          *(f"{self.suite}: {failure.describe()}" for failure in self.failures)])


@dataclass(frozen=True)
class GateReport:
    """A layer's gate. layer: ``raw`` or ``marts``; results: one per suite, in the suites'
    order; data_docs: the Data Docs' index.html (None when not published); seconds: the whole
    gate's time, Data Docs included."""

    layer: str
    results: tuple[GateResult, ...]
    data_docs: Path | None
    seconds: float

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def failed(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if not r.success)

    def message(self) -> str:
        lines = [f"{self.layer} gate: {len(self.results) - len(self.failed)} of {len(self.results)} suites passed "
                 f"in {self.seconds:.1f} s" + (f"; Data Docs: {self.data_docs}" if self.data_docs else "")]
        return "\n".join([*lines, *(r.message() for r in self.failed)])

    def raise_for_failures(self) -> None:
        """Raise GateFailed, with the failures in its message, unless every suite passed."""
        if not self.success:
            raise GateFailed(self.message())


def run_suite(name: str, warehouse_dir: Path | str | None = None, *, today: date | None = None,
              first_day: date | None = None) -> GateResult:
    """Check one suite (``SUITES``) on the warehouse in ``warehouse_dir`` (default: that of the
    environment, ``LANA_WAREHOUSE_DIR``). ``today``: the day (UTC) the data is checked as of:
    nothing recorded after it, nothing effective after the day after it (default: the real
    today, and nothing recorded after this moment); ``first_day``: the bank's first day, before
    which nothing is effective (default: the day its chart of accounts was created, read from
    the raw layer). Raises LanaError if the suite is unknown or its table cannot be read."""
    if name not in SUITES:
        raise LanaError(f"unknown data-quality suite {name!r} (known: {', '.join(SUITES)})")
    return _run([SUITES[name]], _folder(warehouse_dir), today, first_day)[0]


def check_raw(warehouse_dir: Path | str | None = None, *, data_docs: Path | bool = True, today: date | None = None,
              first_day: date | None = None) -> GateReport:
    """Every suite of the raw layer; see ``run_suite``. ``data_docs``: where to publish the
    results as Data Docs (True: ``<warehouse>/data_docs``; False: not at all)."""
    return _gate("raw", RAW_SUITES, warehouse_dir, data_docs, today, first_day)


def check_marts(warehouse_dir: Path | str | None = None, *, data_docs: Path | bool = True) -> GateReport:
    """Every suite of the marts; see ``check_raw``."""
    return _gate("marts", MART_SUITES, warehouse_dir, data_docs, None, None)


def _gate(layer: str, names: Sequence[str], warehouse_dir: Path | str | None, data_docs: Path | bool,
          today: date | None, first_day: date | None) -> GateReport:
    started = perf_counter()
    folder = _folder(warehouse_dir)
    results = _run([SUITES[n] for n in names], folder, today, first_day)
    index = None
    if data_docs is not False:
        index = publish_data_docs(results, folder / "data_docs" if data_docs is True else Path(data_docs))
    return GateReport(layer, tuple(results), index, round(perf_counter() - started, 3))


def _folder(warehouse_dir: Path | str | None) -> Path:
    if warehouse_dir is None:
        from lana_core.warehouse.el import warehouse_dir as configured

        return configured()
    return Path(warehouse_dir)


def _run(suites: Sequence[Suite], folder: Path, today: date | None, first_day: date | None) -> list[GateResult]:
    """Validate the suites (of one layer) in one ephemeral context, over one connection."""
    layer = suites[0].layer
    context = _context()
    datasource = context.data_sources.add_pandas(f"lana_{layer}")
    with _connect(folder, layer) as conn:
        bounds = _bounds(conn, today, first_day)
        results = []
        for suite in suites:
            started = perf_counter()
            try:
                frame = _load(conn, suite.query)
            except duckdb.Error as exc:
                raise LanaError(f"{suite.name}: cannot read {layer}.{suite.table}: {str(exc).splitlines()[0]}") from exc
            batch = datasource.add_dataframe_asset(suite.table).add_batch_definition_whole_dataframe("all rows")
            expectations = context.suites.add(gx.ExpectationSuite(name=suite.name,
                                                                  expectations=suite.expectations(bounds)))
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=suite.name, data=batch, suite=expectations))
            validation = definition.run(batch_parameters={"dataframe": frame}, result_format={
                "result_format": "SUMMARY", "unexpected_index_column_names": list(suite.keys),
                "partial_unexpected_count": SAMPLE_ROWS})
            failures = tuple(_failure(r, suite.keys) for r in validation.results if not r.success)
            results.append(GateResult(suite.name, bool(validation.success), f"{layer}.{suite.table}", len(frame),
                                      len(validation.results), failures, round(perf_counter() - started, 3),
                                      validation))
    return results


def _context() -> EphemeralDataContext:
    """An in-memory context: nothing written, nothing fetched, no progress bars in the logs."""
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                               progress_bars=ProgressBarsConfig(globally=False), analytics_enabled=False)
    return gx.get_context(project_config=config, mode="ephemeral")


def _connect(folder: Path, layer: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the layer's file attached read-only (dbt's name for it), so that
    the check shares the file with other readers and never changes it."""
    filename, alias = _FILES[layer]
    path = folder / filename
    if not path.exists():
        raise LanaError(f"no {layer} layer at {path}: run the "
                        + ("extract-load" if layer == "raw" else "transform") + " first")
    conn = duckdb.connect()
    try:
        conn.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {alias} (READ_ONLY)")
    except duckdb.Error as exc:  # e.g. held by a writer (the loader, dbt)
        conn.close()
        raise LanaError(f"cannot open {path}: {str(exc).splitlines()[0]}") from exc
    return conn


def _bounds(conn: duckdb.DuckDBPyConnection, today: date | None, first_day: date | None) -> Bounds:
    """The run's bounds: as of ``today``, nothing is recorded after its end; as of the real
    today (None), nothing after this moment."""
    now = datetime.combine(today, time.max) if today else datetime.now(timezone.utc).replace(tzinfo=None)
    if first_day is None and "lana_raw" in {row[0] for row in conn.execute("SHOW DATABASES").fetchall()}:
        first_day = conn.execute(f"SELECT min(created_at)::DATE FROM {RAW}.accounting_charts").fetchone()[0]
    return Bounds(first_day=first_day, last_effective_day=now.date() + timedelta(days=1), now=now)


def _load(conn: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    """The query's rows as a DataFrame. DuckDB's sums are HUGEINT, which pandas would make
    floats: they come over as BIGINT, exactly (a value beyond 64 bits raises). Timestamps and
    dates come over in microseconds; in nanoseconds, where they fit, because Great Expectations
    compares only those column-wise (microseconds row by row: 1 s per 100k rows instead of 0.05)."""
    relation = conn.sql(query)
    wide = [c for c, t in zip(relation.columns, relation.types) if str(t) in ("HUGEINT", "UHUGEINT")]
    if wide:
        casts = ", ".join(f'CAST("{c}" AS BIGINT) AS "{c}"' for c in wide)
        relation = conn.sql(f"SELECT * REPLACE ({casts}) FROM ({query})")
    frame = relation.df()
    for column in frame.columns:
        if pd.api.types.is_datetime64_dtype(frame[column]) and not pd.api.types.is_datetime64_ns_dtype(frame[column]):
            try:
                frame[column] = frame[column].astype("datetime64[ns]")
            except pd.errors.OutOfBoundsDatetime:
                pass  # a date beyond 2262: compared row by row, still right
    return frame


def _failure(result: Any, keys: Sequence[str]) -> FailedExpectation:
    """What a failed expectation's result says, in plain Python values; in its sample rows, the
    key columns come first."""
    config = result.expectation_config
    kwargs = config.kwargs
    columns = kwargs.get("column_list") or [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)]
    details = result.result or {}
    error = _error(result.exception_info)
    count = details.get("unexpected_count")
    rows = tuple({k: _plain(row[k]) for k in [*(k for k in keys if k in row), *(k for k in row if k not in keys)]}
                 for row in details.get("partial_unexpected_index_list") or [])
    observed = details.get("observed_value")
    return FailedExpectation(
        expectation=config.type, column=", ".join(columns) or None,
        unexpected_count=None if count is None else int(count), rows=rows,
        observed=None if observed is None else str(observed), error=error)


def _error(info: Any) -> str | None:
    """The message of an exception Great Expectations caught, wherever it put it (one dict, or
    one per metric it failed to compute)."""
    infos: Iterable[Any] = [info] if isinstance(info, dict) and "raised_exception" in info else (
        info.values() if isinstance(info, dict) else [])
    for item in infos:
        item = item.to_json_dict() if hasattr(item, "to_json_dict") else item
        if isinstance(item, dict) and item.get("raised_exception"):
            return str(item.get("exception_message") or "error").splitlines()[0]
    return None


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as Python values; missing values as None."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    return "NULL" if value is None else str(value)

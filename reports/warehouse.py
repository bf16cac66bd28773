"""The port reports read the warehouse through, and its two adapters.

A query is SQL that runs on both engines (DuckDB locally, BigQuery in production): plain
joins, aggregates and ``case``, no engine-specific functions; date arithmetic is done in
Python and passed in. Tables are named through ``relation(name)``; parameters are written
``@name`` (BigQuery's style) and given as a dict of dates, datetimes (UTC), text or integers.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from lana_core.errors import LanaError

Params = dict[str, date | datetime | str | int]


class WarehouseError(LanaError):
    """The warehouse could not answer: not there, locked by a build, a relation missing."""


@dataclass(frozen=True)
class Rows:
    """A query's answer. columns: their names, in order; rows: one tuple per row. DuckDB and
    BigQuery give the same Python types: int, Decimal (NUMERIC), str, date, bool, and datetime
    (naive, in UTC)."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


class Warehouse(Protocol):
    def relation(self, name: str) -> str:
        """How the query names the table or view ``name`` (a dbt model)."""

    def query(self, sql: str, params: Params) -> Rows:
        """Run a query; raises WarehouseError when the warehouse cannot answer."""


_PARAM = re.compile(r"@(\w+)")


class DuckDBWarehouse:
    """dbt's DuckDB warehouse in ``folder``: ``lana.duckdb`` (the models) opened read-only, with
    the raw layer ``raw.duckdb`` attached read-only as ``lana_raw``, as dbt's profile attaches it
    (the staging views read it). Each query opens and closes its own connection, so that no
    lock outlives it: the next extract-load or build may write the files right after."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"DuckDBWarehouse({str(self.folder)!r})"

    def relation(self, name: str) -> str:
        return f'main."{name}"'

    def query(self, sql: str, params: Params) -> Rows:
        import duckdb

        path = self.folder / "lana.duckdb"
        if not path.exists():
            raise WarehouseError(f"there is no warehouse at {path}: run `lana pipeline run` first")
        try:
            with duckdb.connect(str(path), read_only=True) as conn:
                raw = self.folder / "raw.duckdb"
                if raw.exists():
                    conn.execute(f"ATTACH '{_quoted(raw)}' AS lana_raw (READ_ONLY)")
                cursor = conn.execute(_PARAM.sub(lambda m: _duckdb_literal(params[m.group(1)]), sql))
                columns = tuple(d[0] for d in cursor.description)
                return Rows(columns, cursor.fetchall())
        except duckdb.Error as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise WarehouseError(f"the warehouse at {self.folder} could not answer: {reason}") from error


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _duckdb_literal(value: Any) -> str:
    """A parameter as a typed SQL literal. (DuckDB's own parameter binding imports pandas, which
    costs a run more than everything else it does.)"""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)  # the models' timestamps are UTC
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"a query parameter is a date, datetime, int, bool or str, not {type(value).__name__}")


class BigQueryWarehouse:
    """The production warehouse: dbt's models in one BigQuery dataset. ``client``: a
    ``google.cloud.bigquery.Client`` (for an emulator, say); else one is made for ``project``
    with the service-account key at ``credentials_path`` (or the default credentials)."""

    def __init__(self, project: str, dataset: str, *, location: str | None = None,
                 credentials_path: str | None = None, client: Any = None) -> None:
        self.project, self.dataset, self.location = project, dataset, location
        if client is None:
            from google.cloud import bigquery

            if credentials_path:
                client = bigquery.Client.from_service_account_json(credentials_path, project=project,
                                                                   location=location)
            else:
                client = bigquery.Client(project=project, location=location)
        self.client = client

    def __repr__(self) -> str:
        return f"BigQueryWarehouse({self.project}.{self.dataset})"

    def relation(self, name: str) -> str:
        return f"`{self.project}.{self.dataset}.{name}`"

    def query(self, sql: str, params: Params) -> Rows:
        from google.api_core.exceptions import GoogleAPIError
        from google.cloud import bigquery

        config = bigquery.QueryJobConfig(query_parameters=[_bigquery_parameter(k, v) for k, v in params.items()])
        try:
            result = self.client.query(sql, job_config=config, location=self.location).result()
            columns = tuple(field.name for field in result.schema)
            return Rows(columns, [tuple(_naive_utc(v) for v in row.values()) for row in result])
        except GoogleAPIError as error:
            raise WarehouseError(f"BigQuery {self.project}.{self.dataset} could not answer: {error}") from error


def _naive_utc(value: Any) -> Any:
    """BigQuery's TIMESTAMPs come back aware, in UTC; DuckDB's naive, meaning UTC: the same here."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _bigquery_parameter(name: str, value: Any):  # type: ignore[no-untyped-def]
    from google.cloud import bigquery

    if isinstance(value, datetime):
        utc = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return bigquery.ScalarQueryParameter(name, "TIMESTAMP", utc)
    if isinstance(value, date):
        return bigquery.ScalarQueryParameter(name, "DATE", value)
    if isinstance(value, bool):
        return bigquery.ScalarQueryParameter(name, "BOOL", value)
    if isinstance(value, int):
        return bigquery.ScalarQueryParameter(name, "INT64", value)
    return bigquery.ScalarQueryParameter(name, "STRING", str(value))


def from_environment(environment: str = "dev") -> Warehouse:
    """dev: the DuckDB files in $LANA_WAREHOUSE_DIR (default $LANA_HOME/warehouse); prod: the
    BigQuery dataset dbt's prod target builds ($LANA_BQ_PROJECT, $LANA_BQ_MARTS_DATASET (default
    lana), $LANA_BQ_LOCATION, $LANA_BQ_CREDENTIALS_PATH)."""
    if environment == "dev":
        from lana_core.warehouse.el import warehouse_dir

        return DuckDBWarehouse(warehouse_dir())
    if environment == "prod":
        project = os.environ.get("LANA_BQ_PROJECT")
        if not project:
            raise LanaError("LANA_BQ_PROJECT is not set: the prod warehouse is BigQuery (see .env.template)")
        return BigQueryWarehouse(project, os.environ.get("LANA_BQ_MARTS_DATASET") or "lana",
                                 location=os.environ.get("LANA_BQ_LOCATION") or None,
                                 credentials_path=os.environ.get("LANA_BQ_CREDENTIALS_PATH") or None)
    raise LanaError(f"unknown environment {environment!r} (known: dev, prod)")

"""Copy the warehouse raw layer (a DuckDB file) into a BigQuery dataset, by streaming inserts.

For tests and demos against the local BigQuery emulator (``bigquery_emulator``); it works the
same against BigQuery itself. In production the raw layer reaches BigQuery through Meltano
(target-bigquery), not through this. Why the CI proves the dbt path on a copy made by this and
not by target-bigquery (tests/e2e/test_bigquery_emulator.py checks that loader on its own): on
bqemulator 1.4.0 target-bigquery 0.7.2 can only append (streaming_insert, or gcs_stage with a
GCS server): its upsert is a MERGE with ``UPDATE SET target.col = ...``, which the emulator's
DuckDB refuses, so the second month, re-sent rows and changed rows, cannot be loaded; and it
sleeps 5 to 12.5 s per table by design. This copy gives both engines the same rows, with the
same types, month after month, in about a second.

Every table of the DuckDB schema (``raw``: ``raw.core_events``, ``raw.ledger_entries``, ...)
becomes a table of the same name in the dataset, replaced, with its columns in order and these
types (every column NULLABLE, as a loader creates them; the REST API's names, which BigQuery
reports back for either spelling, while bqemulator 1.4.0 echoes whichever it was given):

    VARCHAR, UUID, JSON (JSON text), ENUM, INTERVAL, MAP, BIT ......... STRING
    TINYINT .. BIGINT, UTINYINT .. UINTEGER ........................... INTEGER (INT64)
    HUGEINT, UHUGEINT ....... INTEGER: the loader writes a JSON-schema "integer" as HUGEINT
                              (chart depths, positions), target-bigquery as INT64; a value
                              outside INT64 raises rather than being cut
    UBIGINT, DECIMAL(p, s) with s <= 9 and p - s <= 29 ............... NUMERIC
    any other DECIMAL ...................... BIGNUMERIC (which bqemulator 1.4.0 cannot create:
                                             "DECIMAL type width must be between 1 and 38")
    FLOAT, DOUBLE ...................................................... FLOAT (FLOAT64)
    BOOLEAN -> BOOLEAN (BOOL); DATE -> DATE; TIME -> TIME; BLOB -> BYTES
    TIMESTAMP WITH TIME ZONE, and TIMESTAMP (naive: taken as UTC, which is what the EL writes)
                                                                  ...... TIMESTAMP
    T[] (a list) ........................ REPEATED T (NULL elements dropped: BigQuery has none)
    a list of lists ..................... STRING (its JSON text: BigQuery has no nested arrays)
    STRUCT(...) ......................... RECORD with its fields, mapped the same way
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

# One streaming request: BigQuery's limit is 10 MB per request (and advises ~500 rows); the
# emulator takes far larger ones, and fewer requests are what makes a copy fast.
MAX_REQUEST_BYTES = 8_000_000
MAX_REQUEST_ROWS = 20_000


@dataclass(frozen=True)
class CopiedTable:
    """One table copied: its name in both places, the rows read and the rows BigQuery counts."""

    name: str
    rows: int
    rows_in_bigquery: int
    seconds: float


Convert = Callable[[object], object]


def _identity(value):
    return value


def _float(value):
    if value is None or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _int64(value):
    if value is not None and not -(2**63) <= value < 2**63:
        raise ValueError(f"{value} does not fit BigQuery's INT64")
    return value


def _string(value):
    return None if value is None else str(value)


def _timestamp(value):
    # Naive values are UTC; aware ones carry their offset. Both as RFC 3339, which BigQuery takes.
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat()


def _isoformat(value):
    return None if value is None else value.isoformat()


def _bytes(value):
    return None if value is None else base64.b64encode(value).decode()


def _json_default(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID, dt.timedelta)):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _json_text(value):
    return None if value is None else json.dumps(value, default=_json_default, separators=(",", ":"))


def bigquery_type(duckdb_type) -> tuple[str, str, list, Convert]:
    """BigQuery's (type, mode, sub-fields, value converter) for a DuckDB column type."""
    from google.cloud.bigquery import SchemaField

    kind = duckdb_type.id
    name = str(duckdb_type)
    if kind in ("tinyint", "smallint", "integer", "bigint", "utinyint", "usmallint", "uinteger"):
        return "INTEGER", "NULLABLE", [], _identity
    if kind == "ubigint":
        return "NUMERIC", "NULLABLE", [], _string
    if kind in ("hugeint", "uhugeint"):
        return "INTEGER", "NULLABLE", [], _int64
    if kind == "decimal":
        precision, scale = (int(str(value)) for _, value in duckdb_type.children)
        numeric = scale <= 9 and precision - scale <= 29
        return ("NUMERIC" if numeric else "BIGNUMERIC"), "NULLABLE", [], _string
    if kind in ("float", "double"):
        return "FLOAT", "NULLABLE", [], _float
    if kind == "boolean":
        return "BOOLEAN", "NULLABLE", [], _identity
    if kind == "date":
        return "DATE", "NULLABLE", [], _isoformat
    if kind in ("time",):
        return "TIME", "NULLABLE", [], _isoformat
    if kind.startswith("timestamp"):
        return "TIMESTAMP", "NULLABLE", [], _timestamp
    if kind == "blob":
        return "BYTES", "NULLABLE", [], _bytes
    if kind == "list" or kind == "array":
        child = dict(duckdb_type.children)["child"]
        if child.id in ("list", "array", "map"):
            return "STRING", "NULLABLE", [], _json_text
        element_type, _, fields, convert = bigquery_type(child)

        def convert_list(value, convert=convert):
            return None if value is None else [convert(v) for v in value if v is not None]

        return element_type, "REPEATED", fields, convert_list
    if kind == "struct":
        fields, converters = [], {}
        for field_name, field_type in duckdb_type.children:
            sub_type, mode, sub_fields, convert = bigquery_type(field_type)
            fields.append(SchemaField(field_name, sub_type, mode=mode, fields=sub_fields))
            converters[field_name] = convert

        def convert_struct(value, converters=converters):
            return None if value is None else {k: converters[k](v) for k, v in value.items()}

        return "RECORD", "NULLABLE", fields, convert_struct
    if kind == "map":
        return "STRING", "NULLABLE", [], _json_text
    # VARCHAR, JSON (a VARCHAR underneath: its text is kept), UUID, ENUM, INTERVAL, BIT, ...
    if kind == "varchar" or name == "JSON":
        return "STRING", "NULLABLE", [], _identity
    return "STRING", "NULLABLE", [], _string


def bigquery_schema(relation: duckdb.DuckDBPyRelation) -> tuple[list, list[Convert]]:
    """The BigQuery schema of a DuckDB relation, and one value converter per column."""
    from google.cloud.bigquery import SchemaField

    schema, converters = [], []
    for column, duckdb_type in zip(relation.columns, relation.types):
        field_type, mode, fields, convert = bigquery_type(duckdb_type)
        schema.append(SchemaField(column, field_type, mode=mode, fields=fields))
        converters.append(convert)
    return schema, converters


def raw_tables(connection: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name", [schema]).fetchall()
    return [name for (name,) in rows]


def copy_raw_layer(duckdb_path: str | Path, client, dataset: str, *, schema: str = "raw",
                   tables: Iterable[str] | None = None, location: str | None = None,
                   retry_timeout: float = 60.0, log: Callable[[str], None] | None = None) -> list[CopiedTable]:
    """Copy the tables of ``schema`` in the DuckDB file into ``dataset`` of the client's project.

    The dataset is created if missing; each table is dropped and created anew, so a copy can be
    repeated. ``tables`` picks some (all by default). After each table, its row count in BigQuery
    is read back; a difference raises (a streaming insert that lost rows must not pass quietly).
    Failed calls are retried for ``retry_timeout`` seconds (the client's default is 10 minutes,
    which is how long an emulator's error 500 would otherwise hang a test).
    """
    from google.cloud import bigquery

    retry = bigquery.DEFAULT_RETRY.with_timeout(retry_timeout)

    dataset_ref = bigquery.Dataset(f"{client.project}.{dataset}")
    if location:
        dataset_ref.location = location
    client.create_dataset(dataset_ref, exists_ok=True, retry=retry)
    copied = []
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        connection.execute("SET TimeZone = 'UTC'")  # TIMESTAMPTZ values come back in UTC
        # Fully qualified: in a file named raw.duckdb, "raw" is both the database and the schema.
        database = connection.execute("SELECT current_database()").fetchone()[0]
        for name in (list(tables) if tables is not None else raw_tables(connection, schema)):
            started = time.monotonic()
            qualified = f'"{database}"."{schema}"."{name}"'
            relation = connection.sql(f"SELECT * FROM {qualified}")
            table_schema, converters = bigquery_schema(relation)
            table_id = f"{client.project}.{dataset}.{name}"
            client.delete_table(table_id, not_found_ok=True, retry=retry)
            table = client.create_table(bigquery.Table(table_id, schema=table_schema), retry=retry)
            rows = _stream(client, table, connection.execute(f"SELECT * FROM {qualified}"),
                           relation.columns, converters, retry)
            query = client.query(f"SELECT COUNT(*) FROM `{table_id}`", retry=retry, job_retry=None)
            counted = next(iter(query.result(retry=retry)))[0]
            if counted != rows:
                raise RuntimeError(f"{name}: {rows} rows read from DuckDB, {counted} in BigQuery")
            copied.append(CopiedTable(name, rows, counted, time.monotonic() - started))
            if log:
                log(f"{name}: {rows} rows in {copied[-1].seconds:.2f} s")
    return copied


def _stream(client, table, cursor, columns: list[str], converters: list[Convert], retry) -> int:
    from google.cloud.bigquery import AutoRowIDs

    total, batch, size = 0, [], 0

    def flush():
        errors = client.insert_rows_json(table, batch, row_ids=AutoRowIDs.DISABLED, retry=retry)
        if errors:
            raise RuntimeError(f"streaming insert into {table.table_id} refused rows: {errors[:5]}")

    plain = all(convert is _identity for convert in converters)
    while chunk := cursor.fetchmany(5000):
        for values in chunk:
            row = dict(zip(columns, values if plain else (c(v) for c, v in zip(converters, values))))
            # A cheap upper bound on the row's JSON size keeps requests under the limit.
            size += sum(len(v) if isinstance(v, str) else 24 for v in row.values()) + 16 * len(row)
            batch.append(row)
            if len(batch) >= MAX_REQUEST_ROWS or size >= MAX_REQUEST_BYTES:
                flush()
                total += len(batch)
                batch, size = [], 0
    if batch:
        flush()
        total += len(batch)
    return total

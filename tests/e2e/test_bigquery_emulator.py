"""The BigQuery path, offline: a real local BigQuery (bqemulator), the bank's raw layer made by
the real extract-load and streamed into it, and dbt-bigquery building and testing the project
(``dbt_project/``, target ``bigquery_emulator``) on it, month after month (the second build is
incremental); every model must then hold the same rows as the same project built on DuckDB.
And the production loader, Meltano's target-bigquery, loading the raw layer into it (every row).

Skipped, with the reason, only when the emulator cannot be installed on this machine (it needs
only PyPI); on CI (``CI`` set) that is a failure instead. ``-m "not bigquery_emulator"`` leaves it
out of a run.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import psycopg
import pytest

from lana_core.config import PROJECT_ROOT
from lana_core.simulation import Spec, open_simulation
from lana_core.warehouse.bigquery_raw import copy_raw_layer
from lana_core.warehouse.el import TABLES, extract_load, tap_url
from tests.warehouse_support import local_bigquery

pytestmark = pytest.mark.bigquery_emulator

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
TARGET = "bigquery_emulator"
RAW_DATASET = "raw"
DATASET = "lana"  # where the models go
START = date(2025, 12, 1)


@pytest.fixture(scope="module")
def bq():
    """One emulator for the module (each test writes its own datasets)."""
    with local_bigquery() as emulator:
        yield emulator


def dbt(*args: str, env: dict[str, str], tmp_path: Path, target: str = TARGET) -> str:
    """One dbt command on the project (against the emulator by default); its output, or the test
    fails with it. Its target and log folders are the test's own (the project's are its authors')."""
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(DBT_PROJECT),
               "--profiles-dir", str(DBT_PROJECT), "--target", target,
               "--target-path", str(tmp_path / f"dbt-target-{target}"), "--log-path", str(tmp_path / "dbt-logs"),
               "--no-use-colors", "--no-version-check"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}{result.stderr[-2000:]}"
    return result.stdout


def comparable(value: object) -> object:
    """A value as both engines can be compared on: the emulator types SUM(INT64) as NUMERIC and
    DATE_TRUNC(date) as DATETIME, where BigQuery gives INT64 and DATE; timestamps in UTC;
    fractions to 9 places (NUMERIC's scale)."""
    if isinstance(value, (decimal.Decimal, float)) and math.isfinite(value):
        return int(value) if value == int(value) else round(float(value), 9)
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
        return value.date() if value.time() == dt.time(0) else value
    return value


def relations(rows) -> list[tuple]:
    return sorted((tuple(comparable(v) for v in row) for row in rows), key=repr)


def test_the_raw_layer_lands_in_bigquery_with_every_type_and_value(bq, tmp_path):
    path = tmp_path / "raw.duckdb"
    with duckdb.connect(str(path)) as con:  # named raw.duckdb, as the EL's: "raw" is the catalog too
        con.execute("CREATE SCHEMA raw")
        con.execute("""CREATE TABLE raw.raw.ledger_things AS SELECT * FROM (VALUES
            ('019ad87f-1b00-78bf-85a4-89fd145a2101'::UUID, 'text', 9007199254740993::BIGINT, 7::INTEGER, 2::SMALLINT,
             '2025-12-31'::DATE, '2025-12-31 23:59:59.123456+00'::TIMESTAMPTZ, '2025-12-31 10:00:00'::TIMESTAMP,
             '{"a": {"b": [1, 2]}, "s": "x"}'::JSON, true, ['USD', 'BTC'], [1, NULL, 3], {'k': 1, 'v': 'w'},
             12.34::DECIMAL(18, 2), 0.5::DOUBLE),
            (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
            AS t(id, name, big, int, small, day, recorded_at, naive_at, payload, flag, currencies, numbers, pair, amount, ratio)""")
    client = bq.client()
    [copied] = copy_raw_layer(path, client, "types")
    assert (copied.name, copied.rows, copied.rows_in_bigquery) == ("ledger_things", 2, 2)
    schema = {f.name: (f.field_type, f.mode) for f in client.get_table(f"{bq.project}.types.ledger_things").schema}
    assert schema == {
        "id": ("STRING", "NULLABLE"), "name": ("STRING", "NULLABLE"), "big": ("INTEGER", "NULLABLE"),
        "int": ("INTEGER", "NULLABLE"), "small": ("INTEGER", "NULLABLE"), "day": ("DATE", "NULLABLE"),
        "recorded_at": ("TIMESTAMP", "NULLABLE"), "naive_at": ("TIMESTAMP", "NULLABLE"), "payload": ("STRING", "NULLABLE"),
        "flag": ("BOOLEAN", "NULLABLE"), "currencies": ("STRING", "REPEATED"), "numbers": ("INTEGER", "REPEATED"),
        "pair": ("RECORD", "NULLABLE"), "amount": ("NUMERIC", "NULLABLE"), "ratio": ("FLOAT", "NULLABLE")}
    full, empty = client.query("SELECT *, JSON_VALUE(payload, '$.s') AS s, pair.v AS v FROM types.ledger_things "
                               "ORDER BY id NULLS LAST").result()
    utc = dt.timezone.utc
    assert dict(full) == {
        "id": "019ad87f-1b00-78bf-85a4-89fd145a2101", "name": "text", "big": 9007199254740993, "int": 7, "small": 2,
        "day": date(2025, 12, 31), "recorded_at": dt.datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=utc),
        "naive_at": dt.datetime(2025, 12, 31, 10, 0, tzinfo=utc), "payload": '{"a": {"b": [1, 2]}, "s": "x"}',
        "flag": True, "currencies": ["USD", "BTC"], "numbers": [1, 3], "pair": {"k": 1, "v": "w"},
        "amount": decimal.Decimal("12.34"), "ratio": 0.5, "s": "x", "v": "w"}
    assert dict(empty) == dict.fromkeys(dict(full), None) | {"currencies": [], "numbers": []}


def test_the_dbt_project_builds_on_bigquery_as_on_duckdb_and_passes_its_tests(bq, database_url, tmp_path,
                                                                              monkeypatch):
    warehouse = tmp_path / "warehouse"
    monkeypatch.setenv("LANA_WAREHOUSE_DIR", str(warehouse))
    timings: dict[str, float] = {}

    def timed(step, action):
        started = time.monotonic()
        outcome = action()
        timings[step] = round(time.monotonic() - started, 1)
        return outcome

    app, sim = open_simulation(database_url, Spec(seed=7, customers=12, start_date=START))
    try:
        client = bq.client()
        env = {**os.environ, **bq.env(), "LANA_BQ_EMULATOR_DATASET": DATASET, "LANA_RAW_SCHEMA": RAW_DATASET,
               "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        entries = 0
        # Two months, each extracted and built on both engines: the second builds the
        # incremental models incrementally (a merge on BigQuery, delete+insert on DuckDB).
        for month in (1, 2):
            timed(f"simulate month {month}", lambda: sim.run(1))
            timed(f"extract-load {month}", lambda: extract_load(database_url))
            copied = timed(f"stream raw layer {month}",
                           lambda: copy_raw_layer(warehouse / "raw.duckdb", client, RAW_DATASET))
            assert {t.name for t in copied} >= {"core_events", "ledger_entries"}  # counted back: none lost
            assert next(t for t in copied if t.name == "ledger_entries").rows > entries
            entries = next(t for t in copied if t.name == "ledger_entries").rows
            output = timed(f"dbt build {month}", lambda: dbt("build", "--exclude-resource-type", "unit_test",
                                                             env=env, tmp_path=tmp_path))
            assert month == 1 or "MERGE" in output  # merged what was new, not rebuilt
            if month == 1:
                # Unit tests need the models' relations (an incremental model's reads the
                # columns of `this`): on an empty warehouse they run after the first build.
                timed("dbt unit tests", lambda: dbt("test", "--resource-type", "unit_test",
                                                    env=env, tmp_path=tmp_path))
            timed(f"dbt build {month} duckdb", lambda: dbt("build", "--exclude-resource-type", "unit_test",
                                                           env=env, tmp_path=tmp_path, target="dev"))

        # Every model holds the same rows on both engines.
        with duckdb.connect(str(warehouse / "lana.duckdb"), read_only=True) as duck:
            duck.execute(f"ATTACH '{warehouse / 'raw.duckdb'}' AS lana_raw (READ_ONLY)")  # the views read it
            models = [t.table_id for t in client.list_tables(DATASET)]
            assert len(models) > 10
            for model in models:
                columns = ", ".join(c for (c,) in duck.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'lana' "
                    "AND table_name = ? ORDER BY ordinal_position", [model]).fetchall())
                on_duckdb = relations(duck.execute(f"SELECT {columns} FROM lana.main.{model}").fetchall())
                on_bigquery = relations(client.query(f"SELECT {columns} FROM {DATASET}.{model}").result())
                assert on_bigquery == on_duckdb, model
    finally:
        app.db.close()
        print("timings (s):", timings)


def meltano(*args: str, env: dict[str, str], timeout: float = 480) -> str:
    """``scripts/meltano.sh`` with these arguments and only these variables; its output, or the
    test fails with it. Killed with its plugins (its own session) if it outlives ``timeout``."""
    process = subprocess.Popen(["bash", str(PROJECT_ROOT / "scripts" / "meltano.sh"), *args], cwd=PROJECT_ROOT,
                               env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"meltano {' '.join(args)} still ran after {timeout:.0f} s:\n{output[-6000:]}")
    assert process.returncode == 0, f"meltano {' '.join(args)} failed:\n{output[-6000:]}"
    return output


def test_meltano_loads_the_raw_layer_into_bigquery_with_target_bigquery(bq, database_url, tmp_path):
    """The production extract-load, `meltano --environment=prod run tap-postgres target-bigquery`
    (meltano.yml), on the emulator: every row of every table arrives, JSON as JSON text, amounts
    whole. Two settings differ from production, both for the emulator's sake:

    - method streaming_insert: storage_write_api (the loader's default) needs Google's Storage
      Write endpoint, which its client cannot be pointed elsewhere from (and target-bigquery 0.7.2
      fails before that: "'MessageFactory' object has no attribute 'GetPrototype'", protobuf 6+);
      batch_job uploads gzip files, which bqemulator 1.4.0 cannot read ("Malformed JSON ... at
      byte 1"), and the loader then still reports success; gcs_stage needs a GCS server.
    - upsert off: the loader's MERGE sets `target.col = ...`, which BigQuery takes and
      bqemulator's DuckDB refuses ("Qualified column names in UPDATE .. SET not supported"). One
      run appends each row once, so the counts still prove that nothing is lost.
    """
    app, sim = open_simulation(database_url, Spec(seed=11, customers=6, start_date=START))
    try:
        sim.run(1)
    finally:
        app.db.close()
    dataset = "raw_meltano"
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "USER", "LANG", "TMPDIR")}
    env |= bq.loader_env(tmp_path / "gcloud" / "credentials.json") | {
        "LANA_WAREHOUSE_DIR": str(tmp_path / "warehouse"),  # Meltano's bookmarks, this test's own
        "TAP_POSTGRES_SQLALCHEMY_URL": tap_url(database_url),
        "LANA_BQ_PROJECT": bq.project, "LANA_BQ_DATASET": dataset, "LANA_BQ_LOCATION": "US",
        "LANA_BQ_CREDENTIALS_PATH": "",  # none: google-auth's default, the dummy token
        "TARGET_BIGQUERY_METHOD": "streaming_insert", "TARGET_BIGQUERY_UPSERT": "false",
    }
    started = time.monotonic()
    meltano("--environment=prod", "run", "--force", "tap-postgres", "target-bigquery", env=env)
    seconds = time.monotonic() - started

    client = bq.client()
    with psycopg.connect(database_url) as pg:
        expected = {t.replace(".", "_"): pg.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        amounts = pg.execute("SELECT currency, direction, sum(amount)::bigint FROM ledger.entries "
                             "GROUP BY 1, 2").fetchall()
        statuses = pg.execute("SELECT count(state->>'status') FROM core.entities").fetchone()[0]
    landed = {t: next(iter(client.query(f"SELECT COUNT(*) FROM {dataset}.{t}").result()))[0] for t in expected}
    print(f"meltano run: {seconds:.1f} s; rows: {landed}")
    assert landed == expected
    assert expected["ledger_entries"] > 100 and expected["core_events"] > 100
    # Amounts are whole INT64s, summed exactly; JSON is text that BigQuery's JSON functions read.
    assert {f.name: f.field_type for f in client.get_table(f"{bq.project}.{dataset}.ledger_entries").schema
            }["amount"] == "INTEGER"
    assert {f.name: f.field_type for f in client.get_table(f"{bq.project}.{dataset}.core_entities").schema
            }["state"] == "STRING"
    assert sorted(tuple(row) for row in client.query(
        f"SELECT currency, direction, SUM(amount) FROM {dataset}.ledger_entries GROUP BY 1, 2").result()
    ) == sorted(amounts)
    assert next(iter(client.query(
        f"SELECT COUNT(JSON_VALUE(state, '$.status')) FROM {dataset}.core_entities").result()))[0] == statuses

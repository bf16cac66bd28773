"""Re-running the extract-load is safe (ARCHITECTURE, contract 3): with nothing new it changes
nothing, and a run killed in the middle of a load, then run again, leaves the warehouse an
uninterrupted run leaves. A failure says why in one line."""

from __future__ import annotations

import time
from datetime import date

import psycopg
import pytest

from lana_core.errors import LanaError
from lana_core.simulation import Spec, open_simulation
from lana_core.warehouse import extract_load
from lana_core.warehouse.el import TABLES
from tests.integration.el_support import (
    open_warehouse,
    source_contents,
    warehouse_contents,
)


class Killed(Exception):
    """Raised from the progress callback: extract_load kills Meltano and its plugins (SIGKILL)."""


@pytest.fixture
def simulated(database_url: str) -> str:
    app, sim = open_simulation(database_url, Spec(seed=11, customers=12, start_date=date(2025, 12, 1)))
    try:
        sim.run(1)
    finally:
        app.db.close()
    return database_url


def test_a_second_run_with_nothing_new_changes_nothing(simulated: str, warehouse):
    extract_load(simulated)
    before = warehouse_contents(warehouse, simulated)
    again = extract_load(simulated)
    assert warehouse_contents(warehouse, simulated) == before == source_contents(simulated)
    # What it wrote is what the tap reads again: each table's rows of the last transaction read.
    with psycopg.connect(simulated) as conn:
        last = {table.replace(".", "_"): conn.execute(
            f"SELECT count(*) FROM {table} WHERE xact_id = (SELECT max(xact_id) FROM {table})").fetchone()[0]
            for table in TABLES}
    assert again.rows == last


def test_a_run_killed_in_the_middle_of_a_load_then_run_again_equals_an_uninterrupted_run(
        simulated: str, tmp_path, monkeypatch):
    monkeypatch.setenv("LANA_WAREHOUSE_DIR", str(tmp_path / "uninterrupted"))
    whole = extract_load(simulated)
    expected = warehouse_contents(tmp_path / "uninterrupted", simulated)
    assert expected == source_contents(simulated)

    # Small batches, so that several are written and bookmarked before the kill, which falls
    # while the loader writes the first batch of ledger entries (the tables come in order): 10 ms
    # after it said so, it has created its work table and not yet inserted the rows (measured).
    killed = tmp_path / "killed"
    monkeypatch.setenv("LANA_WAREHOUSE_DIR", str(killed))
    monkeypatch.setenv("TARGET_DUCKDB_BATCH_SIZE_ROWS", "200")

    def kill_at_the_entries(table: str, rows: int) -> None:
        if table == "ledger_entries":
            time.sleep(0.01)
            raise Killed

    with pytest.raises(Killed):
        extract_load(simulated, on_progress=kill_at_the_entries)
    with open_warehouse(killed) as duck:
        loaded = duck.execute("SELECT sum(estimated_size) FROM duckdb_tables() WHERE schema_name = 'raw'").fetchone()[0]
    assert 0 < loaded < whole.total

    monkeypatch.delenv("TARGET_DUCKDB_BATCH_SIZE_ROWS")
    rerun = extract_load(simulated)
    assert rerun.total < whole.total  # it went on from the last bookmark, not from the start
    assert warehouse_contents(killed, simulated) == expected
    with open_warehouse(killed) as duck:  # and target-duckdb's work tables of the killed batch are gone
        assert duck.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name <> 'raw'").fetchall() == []
    assert list((killed / "tmp").iterdir()) == []


def test_a_failed_load_says_why_in_one_line(simulated: str, warehouse):
    warehouse.mkdir()
    (warehouse / "raw.duckdb").mkdir()  # the loader cannot open its database
    with pytest.raises(LanaError) as failure:
        extract_load(simulated)
    message = str(failure.value)
    assert message.startswith("extract-load failed: target-duckdb: ") and "\n" not in message, message
    assert "raw.duckdb" in message


def test_a_database_without_the_schema_is_refused_before_meltano_starts(server_url: str, warehouse):
    with pytest.raises(LanaError, match=r"the database lacks accounting\.chart_nodes, .*: run `lana migrate`"):
        extract_load(server_url)

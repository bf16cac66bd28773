"""``lana pipeline el|build|run``: the extract-load and the dbt build as an operator runs them, into the warehouse of the
state folder; data on stdout, a refusal in one line."""

from __future__ import annotations

import json
from pathlib import Path

from lana_core.warehouse import STREAMS
from tests.e2e.cli import Operator


def test_el_loads_the_bank_into_the_state_folder_s_warehouse_then_only_what_is_new(root: Operator):
    first = root.json("pipeline", "el")
    assert set(first["rows"]) == set(STREAMS) and first["total"] == sum(first["rows"].values())
    assert first["rows"]["ledger_account_sets"] > 50 and first["rows"]["core_events"] > 0  # the chart, the roles
    warehouse = Path(root.env["LANA_HOME"]) / "warehouse"
    assert first["warehouse"] == str(warehouse) and (warehouse / "raw.duckdb").is_file()

    root.json("customer", "create", "--email", "jane@example.com", "--type", "individual",
              "--first-name", "Jane", "--last-name", "Doe")
    second = root.json("pipeline", "el")
    assert second["rows"]["core_events"] >= 1 and second["total"] < first["total"]


def test_el_on_a_database_without_the_schema_is_refused_in_one_line(server_url: str, tmp_path):
    operator = Operator({"LANA_DATABASE_URL": server_url, "LANA_HOME": str(tmp_path / "home")}, email=None)
    assert operator.refused("pipeline", "el").startswith("the database lacks accounting.chart_nodes, ")


def test_run_loads_then_builds_the_marts_and_says_so_step_by_step(root: Operator):
    import duckdb

    root.json("customer", "create", "--email", "ann@example.com", "--type", "individual",
              "--first-name", "Ann", "--last-name", "Lee")
    done = root.run("pipeline", "run", "--format", "json")
    summary = json.loads(done.stdout)
    assert summary["extract_load"]["total"] > 0
    assert summary["build"]["models"] >= 40 and summary["build"]["tests"] >= 50
    # Progress and the per-step totals go to stderr, the data to stdout.
    assert "extract-load:" in done.stderr and "dbt build:" in done.stderr
    warehouse = Path(summary["warehouse"])
    with duckdb.connect(str(warehouse / "lana.duckdb"), read_only=True) as marts:
        assert marts.execute("SELECT count(*) FROM main.customers").fetchone()[0] == 1

    again = root.json("pipeline", "run")  # nothing new: the same warehouse, the tests pass again
    assert again["build"]["models"] == summary["build"]["models"]

"""The ``lana`` command line, run as an operator runs it: a separate process."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from lana_core.db import Database
from tests.e2e.cli import ROOT, lana
from tests.sample_books import load_sample_books

# The regulator's XSDs: the team's reference folder beside the project (never copied into it).
SSF_XSD = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "ssf-xsd"


@pytest.fixture
def books(env: dict[str, str], database_url: str) -> dict[str, str]:
    """The sample books (a month of postings straight through the ledger), then ``lana setup``."""
    with Database(database_url) as db:
        load_sample_books(db)
    lana("setup", "--superuser", ROOT, env=env)
    return env


def as_root(*args: str, env: dict[str, str], check: bool = True):  # type: ignore[no-untyped-def]
    return lana("--as", ROOT, *args, env=env, check=check)


def test_the_demo_simulates_its_bank_once_and_prints_a_balanced_trial_balance(env):
    env = {**env, "LANA_SSF_XSD_DIR": str(SSF_XSD)}
    first = lana("demo", "--customers", "12", "--months", "1", env=env, timeout=600)
    assert "Simulated bank (seed 2026, 12 customers, from 2025-07-01 through 2025-07-31)" in first.stdout
    assert "· USD · settled layer" in first.stdout and "· BTC · settled layer" in first.stdout
    assert first.stdout.count("balanced") == 2 and "NOT BALANCED" not in first.stdout
    # Then the pipeline: the warehouse's trial balance is checked against the core's.
    for currency in ("USD", "BTC"):
        assert f"warehouse: the {currency} trial balance of 2025-07 equals the core's (106 lines)" in first.stderr
    # The gates passed, and every report was produced as of the last day, each with its files.
    assert "raw gate: 13 of 13 suites passed" in first.stderr and "marts gate: 4 of 4 suites passed" in first.stderr
    assert "reports: 12 runs as of 2025-07-31" in first.stderr
    reports = Path(env["LANA_HOME"]) / "reports"
    manifests = [json.loads(p.read_text()) for p in reports.glob("*/manifest.json")]
    assert len(manifests) == 12 and {m["as_of"] for m in manifests} == {"2025-07-31"}
    second = lana("demo", "--customers", "12", "--months", "1", "--no-pipeline", env=env)
    assert "the demo bank was already simulated: nothing new" in second.stderr
    assert second.stdout == first.stdout
    check = lana("--as", "sim.admin@lana.bank", "ledger", "check", env=env)
    assert check.stderr.startswith("ledger invariants hold:")


def test_statements_are_available_as_json(books):
    env = books
    tb = json.loads(as_root("accounting", "trial-balance", "--from", "2026-01-01", "--to", "2026-01-31",
                            "--format", "json", env=env).stdout)
    assert tb["statement"] == "trial_balance" and tb["unit"] == "cents" and tb["totals"]["balanced"]
    assert tb["totals"]["debits"] == tb["totals"]["credits"] == 296_762_615
    bs = json.loads(as_root("accounting", "balance-sheet", "--as-of", "2026-01-31", "--format", "json", env=env).stdout)
    assert bs["balanced"] and bs["assets"]["total"] == 284_485_075
    pl = json.loads(as_root("accounting", "profit-and-loss", "--from", "2026-01-01", "--to", "2026-01-31",
                            "--currency", "usd", "--format", "json", env=env).stdout)
    assert pl["net_income"] == bs["current_earnings"] == -7_410_540
    btc = json.loads(as_root("ledger", "balance", "82", "--currency", "BTC", "--format", "json", env=env).stdout)
    assert btc["settled"] == 125_000_000 and btc["unit"] == "sats"


def test_entries_export_to_csv_and_the_ledger_checks_out(books, tmp_path):
    env = books
    out = tmp_path / "entries.csv"
    result = as_root("ledger", "export-entries", "--output", str(out), env=env)
    assert "30 entries written" in result.stderr
    assert out.read_text().splitlines()[0].startswith("transaction_id,idempotency_key,effective_date")
    assert as_root("ledger", "check", env=env).stderr.startswith("ledger invariants hold: 14 transactions, 30 entries")


def test_a_refusal_is_one_clear_line_without_a_traceback(books, tmp_path):
    env = books
    missing = as_root("ledger", "balance", "NO.SUCH.ACCOUNT", env=env, check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: no account or account set NO.SUCH.ACCOUNT"
    bad = tmp_path / "coa.csv"
    bad.write_text("1,,,Assets,Debit\n11,,,Cash,Sideways\n")
    refused = as_root("accounting", "import-chart", str(bad), env=env, check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "error: coa.csv is not a valid chart of accounts: line 2: normal balance must be Debit or Credit, "
        "got 'Sideways'"
    ]
    assert "Traceback" not in refused.stderr
    other = as_root("accounting", "import-chart", "--default", "--chart", "other", env=env, check=False)
    assert other.stderr.strip() == "error: only the 'primary' chart is kept by the accounting service, not 'other'"
    wrong_date = as_root("accounting", "balance-sheet", "--as-of", "31/01/2026", env=env, check=False)
    assert wrong_date.returncode == 2 and "is not a date (YYYY-MM-DD)" in wrong_date.stderr


def test_an_unmigrated_database_is_reported_not_crashed_on(server_url, tmp_path):
    from tests.conftest import with_dbname

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "lana_test_unmigrated" WITH (FORCE)')
        conn.execute('CREATE DATABASE "lana_test_unmigrated"')
    env = {"LANA_DATABASE_URL": with_dbname(server_url, "lana_test_unmigrated")}
    result = lana("--as", ROOT, "accounting", "chart", env=env, check=False)
    assert result.returncode == 1
    assert "run `lana migrate`" in result.stderr
    lana("migrate", env=env)
    status = json.loads(lana("db", "status", "--format", "json", env=env).stdout)
    assert status["migrations_pending"] == []


def test_an_unreachable_database_is_one_line(tmp_path):
    result = lana("--as", ROOT, "ledger", "check",
                  env={"LANA_DATABASE_URL": f"postgresql://nobody@/x?host={tmp_path}"}, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot reach the database:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_embedded_server_starts_keeps_its_data_and_stops(tmp_path):
    home = tmp_path / "state"
    env = {"LANA_HOME": str(home), "LANA_DATABASE_URL": ""}
    try:
        started = lana("db", "start", env=env)
        assert "started" in started.stderr
        url = lana("db", "url", env=env).stdout.strip()
        assert url == f"postgresql://postgres@/lana?host={home / 'pgdata'}"
        lana("migrate", env=env)
        lana("setup", "--superuser", ROOT, env=env)
        assert json.loads(lana("db", "status", "--format", "json", env=env).stdout)["running"] is True
        assert "stopped" in lana("db", "stop", env=env).stderr
        assert json.loads(lana("db", "status", "--format", "json", env=env).stdout)["running"] is False
        # Data survives a restart.
        lana("db", "start", env=env)
        chart = json.loads(lana("--as", ROOT, "accounting", "chart", "--format", "json", env=env).stdout)
        assert len(chart) == 106
    finally:
        lana("db", "stop", env=env, check=False)
    assert (home / "pgdata" / "PG_VERSION").exists()

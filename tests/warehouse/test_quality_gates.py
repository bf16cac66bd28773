"""The data-quality gates (Great Expectations) on a small simulated bank's warehouse, built by the
real pipeline (Meltano into DuckDB, then dbt): every suite passes on it and its Data Docs list
them all; a copy whose raw layer holds a negative amount, an unknown currency, an entry dated
in the future, an unknown event type and a duplicated event key fails the raw gate, naming the
expectations and the rows; a copy with an unbalanced balance sheet, trial balance and a negative
outstanding fails the marts gate."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from lana_core.errors import LanaError
from lana_core.simulation import Spec, open_simulation
from lana_core.warehouse.el import extract_load
from lana_core.warehouse.quality import (
    MART_SUITES,
    RAW_SUITES,
    GateFailed,
    check_marts,
    check_raw,
    run_suite,
)
from lana_core.warehouse.quality.registry import stream_event_types
from lana_core.warehouse.transform import build

SPEC = Spec(seed=7, customers=6, start_date=date(2025, 7, 1))


@pytest.fixture(scope="module")
def warehouse(server, template_db, tmp_path_factory):
    """Three simulated months, extracted and built; the warehouse folder."""
    from tests.conftest import fresh_database

    folder = tmp_path_factory.mktemp("warehouse")
    with fresh_database(server, template_db) as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("LANA_WAREHOUSE_DIR", str(folder))
        app, sim = open_simulation(url, SPEC)
        sim.run(3)
        app.db.close()
        extract_load(url)
    build(folder)
    return folder


@pytest.fixture(scope="module")
def gates(warehouse):
    """Both gates on the pipeline's warehouse, publishing Data Docs into it."""
    return check_raw(warehouse), check_marts(warehouse)


def copy_of(warehouse, tmp_path):
    copy = tmp_path / "warehouse"
    copy.mkdir()
    for name in ("raw.duckdb", "lana.duckdb"):
        shutil.copy(warehouse / name, copy / name)
    return copy


def failure(report, suite, expectation, column):
    (result,) = [r for r in report.results if r.suite == suite]
    found = [f for f in result.failures if f.expectation == expectation and f.column == column]
    assert found, f"{suite} did not fail {expectation}({column}): {result.message()}"
    return found[0]


def test_every_suite_passes_on_the_warehouse_the_pipeline_built(gates):
    raw, marts = gates
    assert raw.success and marts.success, raw.message() + "\n" + marts.message()
    assert [r.suite for r in raw.results] == list(RAW_SUITES) and [r.suite for r in marts.results] == list(MART_SUITES)
    rows = {r.suite: r.rows for r in raw.results + marts.results}
    assert rows["raw_ledger_entries"] > 100 and rows["raw_core_events"] > 100 and rows["marts_trial_balance"] >= 4
    assert all(r.expectations >= 5 and r.failures == () for r in raw.results + marts.results)
    # Every event type in the warehouse is one the core's aggregates define.
    assert "CustomerCreated" in stream_event_types()["customer"]


def test_one_suite_runs_alone_as_an_asset_check_would(warehouse):
    result = run_suite("raw_ledger_entries", warehouse)
    assert result.success and result.table == "raw.ledger_entries" and result.rows > 100
    assert result.message().startswith("raw_ledger_entries: passed")
    with pytest.raises(LanaError, match="unknown data-quality suite"):
        run_suite("raw_nothing", warehouse)


def test_the_data_docs_list_every_suite(gates):
    raw, marts = gates
    assert raw.data_docs == marts.data_docs and raw.data_docs.name == "index.html"
    index = raw.data_docs.read_text()
    for suite in (*RAW_SUITES, *MART_SUITES):
        assert suite in index
        assert list((raw.data_docs.parent / "validations" / suite).rglob("*.html")), suite


def test_a_corrupted_raw_layer_fails_naming_the_expectations_and_the_rows(warehouse, tmp_path):
    copy = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(copy / "raw.duckdb")) as raw:
        raw.execute("USE raw.raw")
        tx, account = raw.execute("SELECT transaction_id, account_id FROM ledger_entries LIMIT 1").fetchone()
        raw.execute("INSERT INTO ledger_entries (transaction_id, entry_index, account_id, currency, layer, direction, "
                    "amount, effective_date, recorded_at, xact_id) VALUES "
                    "(?, 99, ?, 'EUR', 'settled', 'debit', -500, '9999-12-31', TIMESTAMP '2025-07-02 10:00', 1)",
                    [tx, account])
        # A loader that lost the table's key: the same event twice.
        raw.execute("CREATE TABLE events_copy AS SELECT * FROM core_events")
        raw.execute("DROP TABLE core_events")
        raw.execute("ALTER TABLE events_copy RENAME TO core_events")
        stream, version = raw.execute("SELECT stream_id, version FROM core_events ORDER BY stream_id, version "
                                      "LIMIT 1").fetchone()
        raw.execute("INSERT INTO core_events (stream_id, version, stream_type, event_type, payload, actor, recorded_at, "
                    "xact_id) SELECT stream_id, 1000, 'customer', 'CustomerTeleported', payload, actor, recorded_at, "
                    "xact_id FROM core_events WHERE stream_id = ? AND version = ?", [stream, version])
        raw.execute("INSERT INTO core_events SELECT * FROM core_events WHERE stream_id = ? AND version = ?",
                    [stream, version])

    report = check_raw(copy, data_docs=False)
    assert not report.success
    assert {r.suite for r in report.failed} == {"raw_ledger_entries", "raw_core_events"}

    offending = {"transaction_id": tx, "entry_index": 99}
    negative = failure(report, "raw_ledger_entries", "expect_column_values_to_be_between", "amount")
    assert negative.unexpected_count == 1 and negative.rows == ({**offending, "amount": -500},)
    currency = failure(report, "raw_ledger_entries", "expect_column_values_to_be_in_set", "currency")
    assert currency.unexpected_count == 1 and currency.rows == ({**offending, "currency": "EUR"},)
    future = failure(report, "raw_ledger_entries", "expect_column_values_to_be_between", "effective_date")
    assert future.unexpected_count == 1 and future.rows[0]["effective_date"].year == 9999

    duplicate = failure(report, "raw_core_events", "expect_compound_columns_to_be_unique", "stream_id, version")
    assert duplicate.unexpected_count == 2
    assert duplicate.rows == ({"stream_id": stream, "version": version},) * 2
    unknown = failure(report, "raw_core_events", "expect_column_values_to_be_in_set", "event_type")
    assert unknown.rows == ({"stream_id": stream, "version": 1000, "event_type": "CustomerTeleported"},)
    wrong_stream = failure(report, "raw_core_events", "expect_column_values_to_be_in_set", "stream_event_type")
    assert wrong_stream.rows == ({"stream_id": stream, "version": 1000,
                                  "stream_event_type": "customer/CustomerTeleported"},)

    # The log says it in one line per failed expectation, with the offending rows' keys.
    lines = report.message().splitlines()
    assert (f"raw_ledger_entries: expect_column_values_to_be_between(amount) failed on 1 row(s): "
            f"transaction_id={tx}, entry_index=99, amount=-500") in lines
    assert (f"raw_core_events: expect_compound_columns_to_be_unique(stream_id, version) failed on 2 row(s): "
            f"stream_id={stream}, version={version}; stream_id={stream}, version={version}") in lines
    with pytest.raises(GateFailed, match="raw_ledger_entries: expect_column_values_to_be_in_set"):
        report.raise_for_failures()


def test_unbalanced_marts_fail_the_marts_gate(warehouse, tmp_path):
    copy = copy_of(warehouse, tmp_path)
    with duckdb.connect(str(copy / "lana.duckdb")) as marts:
        day = marts.execute("SELECT max(as_of_date) FROM balance_sheet_totals").fetchone()[0]
        marts.execute("UPDATE balance_sheet_totals SET assets = assets + 1 WHERE as_of_date = ? AND currency = 'USD'",
                      [day])
        month, node = marts.execute("SELECT period_start, node_code FROM trial_balance WHERE depth = 0 AND "
                                    "currency = 'USD' AND layer = 'settled' ORDER BY period_start, node_code "
                                    "LIMIT 1").fetchone()
        marts.execute("UPDATE trial_balance SET debits = debits + 1 WHERE period_start = ? AND node_code = ? "
                      "AND currency = 'USD' AND layer = 'settled'", [month, node])
        facility = marts.execute("SELECT min(credit_facility_id) FROM loan_portfolio").fetchone()[0]
        marts.execute("UPDATE loan_portfolio SET principal_overdue = -1 WHERE credit_facility_id = ?", [facility])

    report = check_marts(copy, data_docs=False)
    assert {r.suite for r in report.failed} == {"marts_balance_sheet_totals", "marts_trial_balance",
                                                 "marts_loan_portfolio"}
    unbalanced = failure(report, "marts_balance_sheet_totals", "expect_column_pair_values_to_be_equal",
                         "assets, liabilities_equity_and_earnings")
    assert unbalanced.unexpected_count == 1
    row = unbalanced.rows[0]
    assert (row["as_of_date"].date(), row["currency"]) == (day, "USD")
    assert row["assets"] == row["liabilities_equity_and_earnings"] + 1
    debits = failure(report, "marts_trial_balance", "expect_column_pair_values_to_be_equal", "debits, credits")
    assert [(r["period_start"].date(), r["currency"], r["layer"]) for r in debits.rows] == [(month, "USD", "settled")]
    negative = failure(report, "marts_loan_portfolio", "expect_column_values_to_be_between", "principal_overdue")
    assert negative.rows == ({"credit_facility_id": facility, "principal_overdue": -1},)
    assert "marts_balance_sheet_totals: expect_column_pair_values_to_be_equal(assets, " \
           "liabilities_equity_and_earnings) failed on 1 row(s)" in report.message()

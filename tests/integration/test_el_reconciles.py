"""The raw layer after extract-load holds what PostgreSQL holds: every row of every extracted
table, value for value (amounts exact, timestamps in UTC, JSON usable by DuckDB's functions),
with the types of the raw-layer contract, after a simulated bank and after an incremental run."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg

from lana_core.simulation import Spec, open_simulation
from lana_core.warehouse import STREAMS, extract_load
from tests.integration.el_support import (
    open_warehouse,
    source_contents,
    source_figures,
    warehouse_contents,
    warehouse_figures,
)

SPEC = Spec(seed=7, customers=12, start_date=date(2025, 12, 1))

# The raw-layer contract (meltano.yml): how each PostgreSQL type lands in DuckDB.
CONTRACT = {
    "ledger_entries": {"transaction_id": "VARCHAR", "entry_index": "SMALLINT", "account_id": "VARCHAR",
                       "currency": "VARCHAR", "layer": "VARCHAR", "direction": "VARCHAR", "amount": "BIGINT",
                       "description": "VARCHAR", "effective_date": "VARCHAR", "recorded_at": "TIMESTAMP",
                       "xact_id": "BIGINT"},
    "core_events": {"stream_id": "VARCHAR", "version": "INTEGER", "stream_type": "VARCHAR", "event_type": "VARCHAR",
                    "payload": "JSON", "recorded_at": "TIMESTAMP", "actor": "VARCHAR", "xact_id": "BIGINT"},
    "ledger_accounts": {"prevent_overdraft": "BOOLEAN", "metadata": "JSON", "version": "INTEGER"},
    "price_prices": {"id": "BIGINT", "price_cents_per_btc": "BIGINT", "sources": "JSON", "quotes": "JSON"},
    "ledger_account_set_members": {"set_id": "VARCHAR", "member_account_id": "VARCHAR", "member_set_id": "VARCHAR",
                                   "member_id": "VARCHAR", "created_at": "TIMESTAMP", "xact_id": "BIGINT"},
}


def test_a_simulated_bank_lands_whole_and_exact_then_an_incremental_run_adds_only_what_is_new(
        database_url: str, warehouse):
    app, sim = open_simulation(database_url, SPEC)
    try:
        sim.run(1)
        first = extract_load(database_url)
        assert set(first.rows) == set(STREAMS) and first.rows["ledger_entries"] > 100
        assert warehouse_figures(warehouse) == source_figures(database_url)
        assert warehouse_contents(warehouse, database_url) == source_contents(database_url)

        day = sim.prepare()
        sim.simulate(day, day + timedelta(days=6))
    finally:
        app.db.close()
    second = extract_load(database_url)
    figures = source_figures(database_url)
    assert warehouse_figures(warehouse) == figures
    assert warehouse_contents(warehouse, database_url) == source_contents(database_url)
    # Incremental: the new week, and the last transaction of the first run read again.
    new_entries = figures["rows of ledger.entries"]["all"] - first.rows["ledger_entries"]
    assert new_entries < second.rows["ledger_entries"] < first.rows["ledger_entries"]


def test_the_raw_layer_has_the_contract_s_tables_types_and_keys(database_url: str, warehouse):
    extract_load(database_url)  # an empty bank: the tables are created all the same
    with open_warehouse(warehouse) as duck:
        types = {}
        for table, column, kind in duck.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_catalog = 'raw' AND table_schema = 'raw'").fetchall():
            types.setdefault(table, {})[column] = kind
        keys = dict(duck.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE schema_name = 'raw' AND constraint_type = 'PRIMARY KEY'").fetchall())
    assert set(types) == set(STREAMS)
    for table, expected in CONTRACT.items():
        assert {c: types[table][c] for c in expected} == expected, table
    assert not any(column.startswith("_sdc_") for columns in types.values() for column in columns)
    assert keys["ledger_entries"] == ["transaction_id", "entry_index"]
    assert keys["ledger_account_set_members"] == ["set_id", "member_id"]
    assert keys["core_entities"] == ["stream_id"]
    assert keys["ledger_balance_history"] == ["account_id", "currency", "version"]


def test_json_arrives_as_json_text_that_duckdb_reads(database_url: str, warehouse):
    app, sim = open_simulation(database_url, SPEC)
    try:
        sim.run(1)
    finally:
        app.db.close()
    extract_load(database_url)
    with psycopg.connect(database_url) as conn:
        expected = sorted(conn.execute(
            "SELECT stream_id::text, version, payload->>'email' FROM core.events "
            "WHERE event_type = 'CustomerCreated'").fetchall())
        prices = sorted(conn.execute("SELECT id, sources[1], (quotes->>sources[1])::bigint FROM price.prices"))
    with open_warehouse(warehouse) as duck:
        got = sorted(duck.execute(
            "SELECT stream_id, version, json_extract_string(payload, '$.email') FROM raw.raw.core_events "
            "WHERE event_type = 'CustomerCreated'").fetchall())
        got_prices = sorted(duck.execute(
            "SELECT id, sources->>0, CAST(json_extract(quotes, '$.\"' || (sources->>0) || '\"') AS BIGINT) "
            "FROM raw.raw.price_prices").fetchall())
    assert got == expected and len(got) == SPEC.customers
    assert got_prices == prices and len(prices) > 0


def test_a_column_a_migration_adds_is_extracted_from_the_next_run_on(database_url: str, warehouse):
    extract_load(database_url)
    with psycopg.connect(database_url) as conn:
        conn.execute("ALTER TABLE ledger.journals ADD COLUMN region text")
        conn.execute("UPDATE ledger.journals SET region = 'SV'")  # a new version of the row
    second = extract_load(database_url)
    assert second.rows["ledger_journals"] == 1
    with open_warehouse(warehouse) as duck:
        assert duck.execute("SELECT code, region FROM raw.raw.ledger_journals").fetchall() == [("MAIN", "SV")]

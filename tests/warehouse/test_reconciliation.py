"""A simulated year through the pipeline (Meltano into DuckDB, then dbt): the warehouse's trial
balance, balance sheet and profit and loss equal the core's live statements to the cent, at
every month end, in both currencies; its loan portfolio equals the credit module's balances;
the models' unit tests pass. The year is loaded and built in two halves, the second
incrementally, and the result equals a full rebuild from the same raw layer."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import duckdb
import pytest

from lana_core.money import Currency
from lana_core.simulation import Spec
from lana_core.simulation.engine import SUPERUSER, add_months
from lana_core.warehouse.transform import build, run_unit_tests
from tests.warehouse_support import simulated_warehouse

SPEC = Spec(seed=5, customers=15, start_date=date(2025, 7, 1))
MONTHS = [add_months(SPEC.start_date, i) for i in range(12)]


@pytest.fixture(scope="module")
def warehouse(server, template_db, tmp_path_factory):
    """A simulated year, extracted and built half a year at a time (the second build is
    incremental); yields (the core's app, the warehouse folder)."""
    with simulated_warehouse(server, template_db, tmp_path_factory.mktemp("warehouse"), SPEC, [6, 6]) as built:
        yield built


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


@pytest.mark.parametrize("currency", [Currency.USD, Currency.BTC])
def test_the_statements_equal_the_cores_at_every_month_end(warehouse, currency):
    app, folder = warehouse
    actor = app.actor(SUPERUSER)
    compared = 0
    with duckdb.connect(str(folder / "lana.duckdb"), read_only=True) as wh:
        for month in MONTHS:
            end = month_end(month)
            core = app.accounting.trial_balance(actor, month, end, currency)
            rows = {code: tuple(rest) for code, *rest in wh.execute(
                "SELECT node_code, opening, debits, credits, closing FROM trial_balance "
                "WHERE period_start = ? AND currency = ? AND layer = 'settled'", [month, currency.value]).fetchall()}
            assert rows == {line.code: (line.opening, line.debits, line.credits, line.closing) for line in core.lines}

            sheet = app.accounting.balance_sheet(actor, end, currency)
            balances = dict(wh.execute("SELECT node_code, balance FROM balance_sheet WHERE as_of_date = ? AND currency = ?",
                                       [end, currency.value]).fetchall())
            for section in (sheet.assets, sheet.liabilities, sheet.equity):
                assert {line.code: balances[line.code] for line in section.lines} == {
                    line.code: line.closing for line in section.lines}
            totals = wh.execute("SELECT assets, liabilities, equity, current_earnings, is_balanced "
                                "FROM balance_sheet_totals WHERE as_of_date = ? AND currency = ?",
                                [end, currency.value]).fetchone()
            assert totals == (sheet.assets.total, sheet.liabilities.total, sheet.equity.total,
                              sheet.current_earnings, True)

            pnl = app.accounting.profit_and_loss(actor, month, end, currency)
            monthly = wh.execute("SELECT revenue, cost_of_revenue, expenses, net_income FROM profit_and_loss_monthly "
                                 "WHERE period_start = ? AND currency = ?", [month, currency.value]).fetchone()
            assert monthly == (pnl.revenue.total, pnl.cost_of_revenue.total, pnl.expenses.total, pnl.net_income)
            lines = dict(wh.execute("SELECT node_code, sum(result) FROM profit_and_loss WHERE movement_date BETWEEN ? AND ? "
                                    "AND currency = ? GROUP BY node_code", [month, end, currency.value]).fetchall())
            for section in (pnl.revenue, pnl.cost_of_revenue, pnl.expenses):
                assert {line.code: lines[line.code] for line in section.lines} == {
                    line.code: line.closing - line.opening for line in section.lines}
            compared += len(core.lines)
    assert compared == 12 * 106
    # The year has activity worth comparing: interest earned, a year-end close.
    if currency is Currency.USD:
        assert any(app.accounting.profit_and_loss(actor, m, month_end(m), currency).revenue.total for m in MONTHS)


def test_the_loan_portfolio_equals_the_credit_modules_balances(warehouse):
    app, folder = warehouse
    actor = app.actor(SUPERUSER)
    with duckdb.connect(str(folder / "lana.duckdb"), read_only=True) as wh:
        portfolio = {row[0]: row[1:] for row in wh.execute(
            "SELECT credit_facility_id, principal_not_yet_due, principal_due, principal_overdue, principal_defaulted, "
            "interest_not_yet_due, interest_due, interest_overdue, interest_defaulted, total_outstanding, collateral_sats "
            "FROM loan_portfolio").fetchall()}
    facilities = [f for f in app.credit.facilities(actor) if f.status in ("active", "matured", "closed")]
    assert len(facilities) >= 3 and set(portfolio) >= {str(f.id) for f in facilities}
    for facility in facilities:
        b = app.credit.balances(actor, facility.id)
        assert portfolio[str(facility.id)] == (
            b.principal["not_yet_due"], b.principal["due"], b.principal["overdue"], b.principal["defaulted"],
            b.interest["not_yet_due"], b.interest["due"], b.interest["overdue"], b.interest["defaulted"],
            b.total_outstanding, b.collateral_sats)


def test_the_models_unit_tests_pass(warehouse):
    _, folder = warehouse
    result = run_unit_tests(folder)
    assert result.tests >= 3 and result.failures == []


def test_the_incremental_builds_equal_a_full_rebuild_from_the_same_raw_layer(warehouse, tmp_path):
    _, folder = warehouse
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    shutil.copy(folder / "raw.duckdb", rebuilt / "raw.duckdb")
    build(rebuilt, full_refresh=True)

    def contents(path):  # every table of the warehouse (the views read the raw layer, the same in both)
        with duckdb.connect(str(path / "lana.duckdb"), read_only=True) as wh:
            tables = [t for (t,) in wh.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                                               "ORDER BY 1").fetchall()]
            return {t: sorted(wh.execute(f"SELECT * FROM main.{t}").fetchall(), key=repr) for t in tables}

    incremental, full = contents(folder), contents(rebuilt)
    assert {"int_account_movements_daily", "int_account_balances_daily", "trial_balance"} <= set(full)
    for table in full:
        assert incremental[table] == full[table], table

"""Importing a chart of accounts into the ledger: all or nothing, and safe to repeat."""

from __future__ import annotations

import pytest

from lana_core.accounting.chart import Category, ChartOfAccounts, CategoryCodes, default_chart_csv
from lana_core.accounting.chart_csv import ChartCsvError
from lana_core.errors import InvalidInput
from lana_core.ledger import Direction
from tests.support import ledger_state


def chart_state(db):
    with db.unit_of_work() as uow:
        state = ledger_state(uow.conn)
        state["nodes"] = uow.conn.execute("SELECT count(*) FROM accounting.chart_nodes").fetchone()[0]
        state["charts"] = uow.conn.execute("SELECT count(*) FROM accounting.charts").fetchone()[0]
    return state


def test_the_default_chart_becomes_a_tree_of_account_sets(db):
    with db.unit_of_work() as uow:
        result = ChartOfAccounts(uow.ledger).import_default()
        uow.commit()
    with db.unit_of_work() as uow:
        chart = ChartOfAccounts(uow.ledger).load()
        members = [m.code for m in uow.ledger.set_members("21.01")]
    assert len(result.created) == len(chart.entries) == 106
    assert chart.entry("21.01.0101").depth == 3
    assert chart.entry("21.01.0101").category is Category.LIABILITY
    assert chart.entry("72.01").category is Category.OFF_BALANCE_SHEET
    assert chart.entry("5").normal_balance is Direction.DEBIT
    assert members == [f"21.01.01{i:02d}" for i in range(1, 8)]


def test_importing_the_same_chart_again_changes_nothing(db):
    with db.unit_of_work() as uow:
        ChartOfAccounts(uow.ledger).import_default()
        uow.commit()
    before = chart_state(db)
    with db.unit_of_work() as uow:
        again = ChartOfAccounts(uow.ledger).import_default()
        uow.commit()
    assert again.created == () and again.unchanged == 106
    assert chart_state(db) == before


def test_a_later_import_adds_new_nodes(db):
    with db.unit_of_work() as uow:
        ChartOfAccounts(uow.ledger).import_default()
        uow.commit()
    extended = default_chart_csv().replace(",01,,Cash on Hand,\n", ",01,,Cash on Hand,\n,,0101,Cash in ATMs,\n")
    with db.unit_of_work() as uow:
        result = ChartOfAccounts(uow.ledger).import_csv(extended)
        uow.commit()
        assert result.created == ("11.01.0101",)
        assert [m.code for m in uow.ledger.set_members("11.01")] == ["11.01.0101"]


def test_a_malformed_file_imports_nothing(db):
    before = chart_state(db)
    broken = default_chart_csv().replace("Interest on Deposits,", "Interest on Deposits,Sideways")
    with pytest.raises(ChartCsvError, match=r"line \d+: normal balance must be Debit or Credit"):
        with db.unit_of_work() as uow:
            ChartOfAccounts(uow.ledger).import_csv(broken)
            uow.commit()
    assert chart_state(db) == before


def test_a_node_that_contradicts_the_stored_chart_is_refused(db):
    with db.unit_of_work() as uow:
        ChartOfAccounts(uow.ledger).import_default()
        uow.commit()
    before = chart_state(db)
    renamed = default_chart_csv().replace("Cash on Hand", "Petty Cash")
    with pytest.raises(InvalidInput, match="node 11.01 already exists as 'Cash on Hand'"):
        with db.unit_of_work() as uow:
            ChartOfAccounts(uow.ledger).import_csv(renamed, source="coa.csv")
            uow.commit()
    assert chart_state(db) == before


def test_category_codes_must_name_top_level_nodes(db):
    before = chart_state(db)
    with pytest.raises(InvalidInput, match="expenses code 9 is not a top-level node"):
        with db.unit_of_work() as uow:
            ChartOfAccounts(uow.ledger).import_csv(default_chart_csv(), categories=CategoryCodes(expenses="9"))
            uow.commit()
    with pytest.raises(InvalidInput, match="retained_earnings_gain code 41.01 is not a node under equity"):
        with db.unit_of_work() as uow:
            codes = CategoryCodes(retained_earnings_gain="41.01")
            ChartOfAccounts(uow.ledger).import_csv(default_chart_csv(), categories=codes)
    assert chart_state(db) == before

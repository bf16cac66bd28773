"""A small simulated bank through the whole path: the core's PostgreSQL, Meltano into DuckDB, dbt,
then every report run requested in the core and carried out (``execute_run``), as Dagster and
``lana report run`` do. The finance reports equal the core's live figures to the cent; the
regulatory reports whose marts are built hold valid XML; a second run writes the same bytes; a
file that breaks its XSD fails the core's run and publishes nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xmlschema

from lana_core.money import Currency
from lana_core.report.domain import RunStatus, definitions
from lana_core.simulation.engine import SUPERUSER
from reports.definitions import spec
from reports.execute import ReportRunFailed, execute_run
from reports.readers.finance import WarehouseBehind, major
from reports.run import run_report
from reports.storage import LocalFolder
from reports.warehouse import DuckDBWarehouse
from tests.reports.support import FINANCE, XSD_DIR, D, persona

REGULATORY = sorted(i for i in definitions() if i not in FINANCE)


def lines(rows, currency: str, *columns: int) -> dict:
    return {row[2]: tuple(row[c] for c in columns) for row in rows if row[0] == currency}


def test_every_finance_report_completes_in_the_core_with_its_files(bank):
    for report_id in FINANCE:
        run = bank.runs[report_id]
        assert (run.status, run.failure, run.external_id) == (RunStatus.COMPLETED, None, "test"), report_id
        norm, name = report_id.split("/")
        assert [(f.name, f.format) for f in run.files] == [
            (f"{name}.{fmt}", fmt) for fmt in definitions()[report_id].outputs]
        folder = bank.storage.root / str(run.id)
        manifest = json.loads((folder / "manifest.json").read_text())
        assert (manifest["report"], manifest["as_of"]) == (report_id, D.isoformat())
        for file, entry in zip(run.files, manifest["files"], strict=True):
            assert Path(file.location) == folder / norm / file.name and Path(file.location).stat().st_size == file.size
            assert (file.size, file.sha256) == (entry["size"], entry["sha256"])
        assert bank.app.reports.run(bank.app.actor(SUPERUSER), run.id).files == run.files


@pytest.mark.parametrize("currency", [Currency.USD, Currency.BTC])
def test_the_statements_equal_the_cores_live_statements(bank, currency):
    app, actor, c = bank.app, bank.app.actor(SUPERUSER), currency.value

    def amounts(*values: int) -> tuple[Decimal, ...]:
        return tuple(major(v, c) for v in values)

    trial = spec("finance/trial_balance").read(bank.warehouse, D)
    core = app.accounting.trial_balance(actor, D.replace(day=1), D, currency)
    assert lines(trial.rows.rows, c, 5, 6, 7, 8) == {
        ln.code: amounts(ln.opening, ln.debits, ln.credits, ln.closing)
        for ln in core.lines if ln.opening or ln.debits or ln.credits or ln.closing}
    t = core.totals
    expected_totals = (c, *amounts(t.debits, t.credits, t.opening_debit_balances, t.opening_credit_balances,
                                   t.closing_debit_balances, t.closing_credit_balances), True)
    assert [row for row in trial.tables[1].rows if row[0] == c] == [expected_totals]
    # ... and so does the file the core recorded.
    xlsx = next(f for f in bank.runs["finance/trial_balance"].files if f.format == "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(xlsx.location).read_bytes()))["Totals"]
    in_file = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == c]
    assert [(row[0], *(Decimal(str(v)).quantize(Decimal(1).scaleb(-currency.exponent)) for v in row[1:7]), row[7])
            for row in in_file] == [expected_totals]

    sheet_report = spec("finance/balance_sheet").read(bank.warehouse, D)
    core_sheet = app.accounting.balance_sheet(actor, D, currency)
    assert [row[1:5] for row in sheet_report.tables[1].rows if row[0] == c] == [amounts(
        core_sheet.assets.total, core_sheet.liabilities.total, core_sheet.equity.total, core_sheet.current_earnings)]
    assert lines(sheet_report.rows.rows, c, 5) == {
        ln.code: amounts(ln.closing) for section in (core_sheet.assets, core_sheet.liabilities, core_sheet.equity)
        for ln in section.lines if ln.closing}

    pnl = spec("finance/profit_and_loss").read(bank.warehouse, D)
    for period, start in (("month to date", D.replace(day=1)), ("year to date", D.replace(month=1, day=1))):
        core_pnl = app.accounting.profit_and_loss(actor, start, D, currency)
        assert [row[2:] for row in pnl.tables[1].rows if row[:2] == (c, period)] == [(start, D, *amounts(
            core_pnl.revenue.total, core_pnl.cost_of_revenue.total, core_pnl.gross_profit, core_pnl.expenses.total,
            core_pnl.net_income))]
    months = [row for row in pnl.tables[2].rows if row[0] == c]
    assert [row[1] for row in months] == ["2025-07", "2025-08", "2025-09", "2025-10"]
    assert sum(row[7] for row in months) == major(app.accounting.profit_and_loss(
        actor, date(2025, 1, 1), D, currency).net_income, c)
    if currency is Currency.USD:
        assert any(row[4] for row in months) and pnl.charts  # interest earned, drawn by month


def test_the_loan_portfolio_equals_the_credit_modules_balances(bank):
    actor = bank.app.actor(SUPERUSER)
    portfolio = spec("finance/loan_portfolio").read(bank.warehouse, D).rows
    by_id = {row[0]: dict(zip(portfolio.columns, row, strict=True)) for row in portfolio.rows}
    facilities = [f for f in bank.app.credit.facilities(actor) if f.status in ("active", "matured", "closed")]
    assert len(facilities) >= 3 and set(by_id) >= {str(f.id) for f in facilities}
    for facility in facilities:
        b, row = bank.app.credit.balances(actor, facility.id), by_id[str(facility.id)]
        usd = lambda cents: major(cents, "USD")  # noqa: E731
        assert (row["principal_not_yet_due"], row["principal_due"], row["principal_overdue"],
                row["principal_defaulted"], row["interest_not_yet_due"], row["interest_due"],
                row["interest_overdue"], row["interest_defaulted"], row["interest_accrued_unbilled"],
                row["undrawn"], row["total_outstanding"], row["collateral_btc"]) == (
            *(usd(b.principal[s]) for s in ("not_yet_due", "due", "overdue", "defaulted")),
            *(usd(b.interest[s]) for s in ("not_yet_due", "due", "overdue", "defaulted")),
            usd(b.accrued_interest), usd(b.undrawn), usd(b.total_outstanding), major(b.collateral_sats, "BTC"))
        assert row["status"] == facility.status


def test_the_loan_portfolio_as_of_the_marts_day_equals_the_mart(bank):
    with duckdb.connect(str(bank.folder / "lana.duckdb"), read_only=True) as wh:
        found = wh.execute("select * from loan_portfolio")
        columns = [d[0] for d in found.description]
        mart = [dict(zip(columns, row)) for row in found.fetchall()]
    day = mart[0]["as_of_date"]
    report = spec("finance/loan_portfolio").read(bank.warehouse, day).rows
    rows = {row[0]: dict(zip(report.columns, row, strict=True)) for row in report.rows}
    assert set(rows) == {m["credit_facility_id"] for m in mart}
    for m in mart:
        row = rows[m["credit_facility_id"]]
        for column in ("amount", "undrawn", "principal_outstanding", "interest_outstanding", "total_outstanding",
                       "interest_accrued_unbilled"):
            assert row[column] == major(m[column], "USD"), column
        assert (row["status"], row["collateralization_state"], row["cvl_percent"], row["days_past_due"],
                row["collateral_btc"], row["collateral_value"]) == (
            m["status"], m["collateralization_state"], m["cvl_percent"], m["days_past_due"],
            major(m["collateral_sats"], "BTC"), major(m["collateral_value_cents"], "USD"))


@pytest.mark.parametrize("report_id", REGULATORY)
def test_a_regulatory_report_whose_mart_is_built_holds_the_marts_rows_and_valid_xml(bank, report_id):
    report = definitions()[report_id]
    if report_id not in bank.runs:
        pytest.skip(f"its mart {report.source} is not built yet ({bank.build_failures or 'not in the project'})")
    run = bank.runs[report_id]
    assert (run.status, run.failure) == (RunStatus.COMPLETED, None)
    with duckdb.connect(str(bank.folder / "lana.duckdb"), read_only=True) as wh:
        found = wh.execute(f"select * from {report.source} where as_of_date = ?", [D])
        columns = [d[0] for d in found.description if d[0] != "as_of_date"]
        count = len(found.fetchall())
    files = {f.format: Path(f.location).read_bytes() for f in run.files}
    if "csv" in files:
        header, *rows = files["csv"].decode("utf-8").splitlines()
        assert header.split(",") == columns
    if "xml" in files:
        schema = xmlschema.XMLSchema(str(XSD_DIR / spec(report_id).xsd))
        assert schema.is_valid(files["xml"]) and count >= 1
        assert len(ET.fromstring(files["xml"])) == count
    manifest = json.loads((bank.storage.root / str(run.id) / "manifest.json").read_text())
    assert manifest["rows"] == count


def test_a_second_run_writes_every_file_byte_for_byte(bank, tmp_path):
    again = LocalFolder(tmp_path)
    for report_id, first in bank.runs.items():
        run_id = "rerun-" + report_id.replace("/", "-")
        rerun = run_report(report_id, D, bank.warehouse, again, run_id, schemas=XSD_DIR)
        first_folder, second_folder = bank.storage.root / str(first.id), tmp_path / run_id
        names = sorted(p.relative_to(first_folder) for p in first_folder.rglob("*") if p.is_file())
        assert names == sorted(p.relative_to(second_folder) for p in second_folder.rglob("*") if p.is_file())
        for name in names:
            assert (first_folder / name).read_bytes() == (second_folder / name).read_bytes(), (report_id, name)
        assert [f.sha256 for f in rerun.files] == [f.sha256 for f in first.files]


def test_an_invalid_xml_fails_the_cores_run_and_publishes_nothing(bank, tmp_path):
    """A persona mart whose row breaks ssf_ctri_persona.xsd (the as-of day's rows made here, in
    a DuckDB warehouse shaped as dbt leaves it)."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    columns = list(persona())
    with duckdb.connect(str(folder / "lana.duckdb")) as wh:
        wh.execute("create table report_nrp_92_persona (as_of_date date, "
                   + ", ".join(f'"{c}" varchar' for c in columns) + ")")
        for row in (persona(), persona(numero_documento="0614-123456-101-7", tipo_identificador="Z")):
            wh.execute(f"insert into report_nrp_92_persona values (?, {', '.join('?' * len(columns))})",
                       [D, *(None if v is None else str(v) for v in row.values())])
    storage = LocalFolder(tmp_path / "reports")
    requested = bank.app.reports.request_run(bank.app.actor(SUPERUSER), "nrp_92/persona", D)
    with pytest.raises(ReportRunFailed) as failed:
        execute_run(bank.app, requested.id, warehouse=DuckDBWarehouse(folder), storage=storage, schemas=XSD_DIR)
    run = bank.app.reports.run(bank.app.actor(SUPERUSER), requested.id)
    assert run.status is RunStatus.FAILED and run.files == () and failed.value.run.failure == run.failure
    assert run.failure == (
        "persona.xml (ssf_ctri_persona.xsd) does not validate against its XSD (2 problems): "
        "row 2, numero_documento: value length cannot be greater than 14; "
        "row 2, tipo_identificador: value must be one of ['N', 'F', 'U', 'P']")
    assert not (tmp_path / "reports").exists() or [p for p in (tmp_path / "reports").rglob("*") if p.is_file()] == []


def test_lana_report_run_requests_a_run_carries_it_out_and_says_where_the_files_are(bank, tmp_path):
    env = {**os.environ, "LANA_DATABASE_URL": bank.url, "LANA_WAREHOUSE_DIR": str(bank.folder),
           "LANA_HOME": str(tmp_path), "LANA_SSF_XSD_DIR": str(XSD_DIR), "COLUMNS": "200"}
    env.pop("LANA_USER", None)
    result = subprocess.run([sys.executable, "-m", "lana_core.cli.main", "--as", SUPERUSER, "report", "run",
                             "finance/trial_balance", "--as-of", D.isoformat(), "--format", "json"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert (run["definition_id"], run["as_of_date"], run["status"]) == ("finance/trial_balance", D.isoformat(),
                                                                        "completed")
    first = {f.name: f.sha256 for f in bank.runs["finance/trial_balance"].files}
    for file in run["files"]:
        assert Path(file["location"]).parent == tmp_path / "reports" / run["id"] / "finance"
        assert file["sha256"] == first[file["name"]]  # the same bytes from another process
    assert f"report run {run['id']}" in result.stderr


def test_a_report_as_of_a_day_the_warehouse_has_not_seen_is_refused_and_publishes_nothing(bank, tmp_path):
    with pytest.raises(WarehouseBehind, match="the warehouse ends on 2025-11-01, before the as-of date 2025-11-15"):
        run_report("finance/balance_sheet", date(2025, 11, 15), bank.warehouse, LocalFolder(tmp_path), "late")
    assert list(tmp_path.iterdir()) == []

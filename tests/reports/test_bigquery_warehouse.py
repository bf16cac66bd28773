"""The BigQuery adapter, offline: the simulated bank's warehouse relations copied into a real
local BigQuery (bqemulator), and every report produced from there writes the same bytes as
from DuckDB. So the reports' queries run on both engines, with the same types coming back.

Skipped, with the reason, only when the emulator cannot be installed on this machine; on CI
(``CI`` set) that is a failure instead. ``-m "not bigquery_emulator"`` leaves it out.
"""

from __future__ import annotations

import duckdb
import pytest

from lana_core.report.domain import definitions
from lana_core.warehouse.bigquery_raw import copy_raw_layer
from reports.run import run_report
from reports.storage import LocalFolder
from reports.warehouse import BigQueryWarehouse
from tests.reports.support import XSD_DIR, D
from tests.warehouse_support import local_bigquery

pytestmark = pytest.mark.bigquery_emulator

DATASET = "lana"
# What the finance reports read besides their marts.
FINANCE_RELATIONS = ("int_ledger_dates", "int_chart_node_balances_daily", "int_chart_nodes", "balance_sheet",
                     "balance_sheet_totals", "profit_and_loss", "int_credit_facility_states",
                     "int_account_balances_current", "int_account_balances_daily", "int_obligations",
                     "stg_price__prices")


@pytest.fixture(scope="module")
def bq():
    """One emulator for the module (each test writes its own datasets)."""
    with local_bigquery() as emulator:
        yield emulator


def test_every_report_writes_the_same_bytes_from_bigquery_as_from_duckdb(bank, bq, tmp_path):
    relations = sorted({*FINANCE_RELATIONS, *(definitions()[i].source for i in bank.runs)})
    # The relations as plain tables in one DuckDB file (the staging views read the raw layer).
    source = tmp_path / "relations.duckdb"
    with duckdb.connect(str(source)) as copy:
        copy.execute(f"ATTACH '{bank.folder / 'lana.duckdb'}' AS wh (READ_ONLY)")
        copy.execute(f"ATTACH '{bank.folder / 'raw.duckdb'}' AS lana_raw (READ_ONLY)")
        for name in relations:
            copy.execute(f'CREATE TABLE main."{name}" AS SELECT * FROM wh.main."{name}"')
    copy_raw_layer(source, bq.client(), DATASET, schema="main", tables=relations)
    warehouse = BigQueryWarehouse(bq.project, DATASET, client=bq.client())

    for report_id, first in bank.runs.items():
        run = run_report(report_id, D, warehouse, LocalFolder(tmp_path / "reports"), report_id.replace("/", "-"),
                         schemas=XSD_DIR)
        assert [(f.name, f.size, f.sha256) for f in run.files] == [
            (f.name, f.size, f.sha256) for f in first.files], report_id

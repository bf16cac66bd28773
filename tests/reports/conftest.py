"""The simulated bank the report tests share: its core, its warehouse, and a first run of every
report whose source is built, requested in the core and carried out as Dagster and ``lana
report run`` do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from lana_core.app import Lana
from lana_core.report.domain import definitions
from lana_core.simulation import Spec, open_simulation
from lana_core.simulation.engine import SUPERUSER
from lana_core.warehouse.el import extract_load
from lana_core.warehouse.transform import TransformFailed, build
from reports.execute import ReportRunFailed, execute_run
from reports.storage import LocalFolder
from reports.warehouse import DuckDBWarehouse
from tests.reports.support import (
    FINANCE,
    SPEC_CUSTOMERS,
    SPEC_MONTHS,
    SPEC_SEED,
    SPEC_START,
    XSD_DIR,
    D,
)


@dataclass
class Bank:
    """app: the core on the simulation's clock; url: its database; folder: the warehouse's;
    warehouse: the reports' port on it; storage: where the first runs published; runs: the first
    run of every report whose source is built, as the core recorded it (completed or failed);
    build_failures: what dbt could not build (empty when everything built)."""

    app: Lana
    url: str
    folder: Path
    warehouse: DuckDBWarehouse
    storage: LocalFolder
    runs: dict
    build_failures: str


def built(folder: Path) -> set[str]:
    with duckdb.connect(str(folder / "lana.duckdb"), read_only=True) as wh:
        return {name for (name,) in wh.execute("select table_name from information_schema.tables").fetchall()}


@pytest.fixture(scope="package")
def bank(server, template_db, tmp_path_factory):
    from tests.conftest import fresh_database

    folder = tmp_path_factory.mktemp("warehouse")
    storage = LocalFolder(tmp_path_factory.mktemp("reports"))
    with fresh_database(server, template_db) as url:
        app, sim = open_simulation(url, Spec(seed=SPEC_SEED, customers=SPEC_CUSTOMERS, start_date=SPEC_START))
        mp = pytest.MonkeyPatch()
        mp.setenv("LANA_WAREHOUSE_DIR", str(folder))
        try:
            sim.run(SPEC_MONTHS)
            assert app.clock.today() > D
            extract_load(url)
            failures = ""
            try:
                build(folder)
            except TransformFailed as failure:  # the models that built stay built
                failures = str(failure)
            warehouse, tables = DuckDBWarehouse(folder), built(folder)
            actor = app.actor(SUPERUSER)
            runs = {}
            for report_id in sorted(definitions(), key=lambda i: (i not in FINANCE, i)):
                if definitions()[report_id].source not in tables:
                    continue
                requested = app.reports.request_run(actor, report_id, D)
                try:
                    runs[report_id] = execute_run(app, requested.id, warehouse=warehouse, storage=storage,
                                                  schemas=XSD_DIR, external_id="test")
                except ReportRunFailed as failed:
                    runs[report_id] = failed.run
            yield Bank(app, url, folder, warehouse, storage, runs, failures)
        finally:
            mp.undo()
            app.db.close()

"""What the assets, jobs and sensors work with: the core, the warehouse, the report files, dbt.

One environment name, ``LANA_ENVIRONMENT`` (``dev``, the default, or ``prod``), selects them all:
dev is the embedded or configured PostgreSQL, the DuckDB warehouse in ``$LANA_WAREHOUSE_DIR`` and
report files under ``$LANA_HOME/reports``; prod is the BigQuery warehouse (``$LANA_BQ_*``) and the
bucket ``$LANA_REPORTS_BUCKET`` (see ``.env.template``). The dbt target is the same name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import ConfigurableResource

if TYPE_CHECKING:
    from lana_core.app import Lana
    from reports.storage import Storage
    from reports.warehouse import Warehouse as ReportsWarehouse

ENVIRONMENT = os.environ.get("LANA_ENVIRONMENT", "dev")
ENVIRONMENTS = ("dev", "prod")
if ENVIRONMENT not in ENVIRONMENTS:
    raise ValueError(f"LANA_ENVIRONMENT={ENVIRONMENT!r}: expected one of {', '.join(ENVIRONMENTS)}")


class LanaCore(ConfigurableResource):
    """The banking core. database_url: its PostgreSQL (unset: ``LANA_DATABASE_URL``, else the
    embedded server, started if it is not running)."""

    database_url: str | None = None

    def url(self) -> str:
        from lana_core.db import resolve_database_url

        return self.database_url or resolve_database_url()

    @contextmanager
    def app(self) -> Iterator[Lana]:
        """The core's application on the system clock, its connections closed afterwards."""
        from lana_core.app import AppConfig, Lana
        from lana_core.db import Database

        with Database(self.url(), max_connections=2) as db:
            yield Lana(db, AppConfig.from_env())


class Warehouse(ConfigurableResource):
    """The warehouse the EL loads and dbt builds. environment: dev (DuckDB) or prod (BigQuery);
    directory: the DuckDB files and the EL's bookmarks (unset: ``LANA_WAREHOUSE_DIR``, else
    ``$LANA_HOME/warehouse``)."""

    environment: str = ENVIRONMENT
    directory: str | None = None

    def path(self) -> Path:
        from lana_core.warehouse.el import warehouse_dir

        return Path(self.directory).resolve() if self.directory else warehouse_dir()

    @contextmanager
    def variables(self) -> Iterator[None]:
        """``LANA_WAREHOUSE_DIR`` set to this warehouse while the block runs: the EL and dbt (a
        subprocess started in the block) read the folder from it."""
        before = os.environ.get("LANA_WAREHOUSE_DIR")
        os.environ["LANA_WAREHOUSE_DIR"] = str(self.path())
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("LANA_WAREHOUSE_DIR", None)
            else:
                os.environ["LANA_WAREHOUSE_DIR"] = before

    def for_reports(self) -> ReportsWarehouse:
        """The port reports read the marts through."""
        from reports import warehouse

        if self.environment == "dev":
            return warehouse.DuckDBWarehouse(self.path())
        return warehouse.from_environment(self.environment)


class ReportFiles(ConfigurableResource):
    """Where report runs publish their files and what their XML is checked against.
    folder: a local folder of runs (unset: ``$LANA_HOME/reports`` in dev, the bucket
    ``$LANA_REPORTS_BUCKET`` in prod); schemas: the regulator's XSDs (unset: ``LANA_SSF_XSD_DIR``)."""

    environment: str = ENVIRONMENT
    folder: str | None = None
    schemas: str | None = None

    def storage(self) -> Storage:
        from reports import storage

        return storage.LocalFolder(self.folder) if self.folder else storage.from_environment(self.environment)


def dbt_executable() -> str:
    """The ``dbt`` installed beside this Python (``dagster dev`` may run without .venv/bin on PATH)."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"

"""Data-quality gates on the warehouse, with Great Expectations.

One suite per raw table and per mart whose figures the reports rely on (``suites.py``).
``check_raw(warehouse_dir)`` and ``check_marts(warehouse_dir)`` check a whole layer and publish
Data Docs into ``<warehouse>/data_docs`` (``docs.py``); ``run_suite(name, warehouse_dir)``
checks one suite. Results say which expectation failed on which rows (``GateResult.message()``:
one line each). Plain functions, no orchestration: a Dagster asset check per suite is
``run_suite(name, folder)`` reported as passed = ``success``, description = ``message()``, then
``publish_data_docs([result], folder / "data_docs")`` to refresh the site.
"""

from lana_core.warehouse.quality.docs import publish_data_docs
from lana_core.warehouse.quality.gate import (
    FailedExpectation,
    GateFailed,
    GateReport,
    GateResult,
    check_marts,
    check_raw,
    run_suite,
)
from lana_core.warehouse.quality.suites import MART_SUITES, RAW_SUITES, SUITES

__all__ = [
    "MART_SUITES",
    "RAW_SUITES",
    "SUITES",
    "FailedExpectation",
    "GateFailed",
    "GateReport",
    "GateResult",
    "check_marts",
    "check_raw",
    "publish_data_docs",
    "run_suite",
]

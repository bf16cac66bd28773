"""Data-quality gates on the warehouse, with Great Expectations.

One suite per raw table and per mart whose figures the reports rely on (``suites.py``).
``check_raw(warehouse_dir)`` and ``check_marts(warehouse_dir)`` check a whole layer and publish
Data Docs into ``<warehouse>/data_docs`` (``docs.py``); ``run_suite(name, warehouse_dir)``
checks one suite. Results say which expectation failed on which rows (``GateResult.message()``:
one line each). Plain functions, no orchestration: a Dagster asset check per suite is
``run_suite(name, folder)`` reported as passed = ``success``, description = ``message()``, then
``publish_data_docs([result], folder / "data_docs")`` to refresh the site.
"""

from lana_core.warehouse.quality.suites import MART_SUITES, RAW_SUITES, SUITES

# The rest imports Great Expectations (about 6 s): loaded when first used, so that whoever only
# needs the suites' names (Dagster, building its asset checks at every load) does not wait.
_LAZY = {
    "publish_data_docs": "docs",
    **dict.fromkeys(("FailedExpectation", "GateFailed", "GateReport", "GateResult", "check_marts", "check_raw",
                     "run_suite"), "gate"),
}


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"lana_core.warehouse.quality.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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

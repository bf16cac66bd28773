"""Data Docs: Great Expectations' static site of the latest validation of every suite.

``publish_data_docs(results, folder)`` keeps each result as its suite's latest validation, in a
Great Expectations store under ``folder/.gx/`` (the suite's earlier result is dropped), then
rebuilds the site from everything stored: ``folder/index.html`` lists the latest run of every
suite published there, whichever process published it (the raw gate, the marts gate, or one
Dagster asset check). Publishers take turns on a lock file. Building needs no network; the
pages load their styles and scripts (Bootstrap, jQuery, Vega) from public CDNs when viewed.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import great_expectations as gx
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

if TYPE_CHECKING:
    from lana_core.warehouse.quality.gate import GateResult

SITE = "lana"


def publish_data_docs(results: Sequence[GateResult], folder: Path) -> Path:
    """Publish the results into the Data Docs at ``folder``; returns the site's index.html."""
    folder.mkdir(parents=True, exist_ok=True)
    stores = folder / ".gx"
    stores.mkdir(exist_ok=True)
    with open(stores / "lock", "w") as lock:
        # Two gates publishing at once would each rebuild the index from a store the other is
        # changing: one at a time.
        fcntl.flock(lock, fcntl.LOCK_EX)
        context = _site_context(folder)
        validations = context.validation_results_store
        for result in results:
            for key in validations.list_keys():
                if key.expectation_suite_identifier.name == result.suite:
                    validations.remove_key(key)
            shutil.rmtree(folder / "validations" / result.suite, ignore_errors=True)  # its old pages
            run = result.validation
            batch = run.meta["active_batch_definition"]  # the key GX gives a batch: <datasource>-<asset>
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite),
                run_id=run.meta["run_id"], batch_identifier=f"{batch['datasource_name']}-{batch['data_asset_name']}")
            validations.set(key, run)
            context.suites.add_or_update(gx.ExpectationSuite(
                name=result.suite, expectations=[r.expectation_config for r in run.results]))
        context.build_data_docs(site_names=[SITE])
    return folder / "index.html"


def _site_context(folder: Path) -> gx.data_context.EphemeralDataContext:
    """A context whose validation results and suites live in files under ``folder/.gx`` and whose
    one Data Docs site is ``folder``."""
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(),
                               progress_bars=ProgressBarsConfig(globally=False), analytics_enabled=False)
    for store, kind in (("validation_results_store", "ValidationResultsStore"),
                        ("expectations_store", "ExpectationsStore")):
        config.stores[store] = {"class_name": kind, "store_backend": {
            "class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder / ".gx" / store)}}
    config.data_docs_sites = {SITE: {
        "class_name": "SiteBuilder", "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}}}
    return gx.get_context(project_config=config, mode="ephemeral")

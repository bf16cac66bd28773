"""The data-quality gates (Great Expectations, ``lana_core/warehouse/quality``) as blocking asset
checks: one check per suite, named after it, on the asset its table is. The raw layer's suites
(``raw_core_events``, ...) check the EL's assets (``raw/core_events``), so a raw table that
breaks its contract stops dbt in the same run; the marts' suites (``marts_trial_balance``, ...)
check their dbt models, so a mart that fails one stops the reports made from it.

A layer's suites run in one check op (the ones selected), then their results are published as
Data Docs (``<warehouse>/data_docs/index.html``). A failed check says, one line per failed
expectation, which rows broke it. The gates read the DuckDB warehouse's files: they exist in
the ``dev`` environment only (``gates()`` is empty in ``prod``).
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from dagster_project.assets.raw import raw_key
from dagster_project.resources import ENVIRONMENT, Warehouse
from lana_core.warehouse.quality.suites import MART_SUITES, RAW_SUITES, SUITES


def checked_asset(suite: str) -> AssetKey:
    """The asset a suite checks: ``raw/<table>`` for the raw layer, the mart's dbt model else."""
    table = SUITES[suite].table
    return raw_key(table) if SUITES[suite].layer == "raw" else AssetKey(table)


def layer_gate(layer: str, suites: tuple[str, ...]) -> AssetChecksDefinition:
    """The blocking checks of one layer's suites, run together."""
    specs = [AssetCheckSpec(name, asset=checked_asset(name), blocking=True,
                            description=f"Great Expectations suite {name} on {layer}.{SUITES[name].table}")
             for name in suites]

    @multi_asset_check(specs=specs, name=f"{layer}_quality_gate", can_subset=True)
    def gate(context: AssetCheckExecutionContext, warehouse: Warehouse):
        from lana_core.warehouse.quality import publish_data_docs, run_suite

        folder = warehouse.path()
        selected = [key.name for key in context.selected_asset_check_keys]
        results = [run_suite(name, folder) for name in suites if name in selected]
        docs = publish_data_docs(results, folder / "data_docs")
        for result in results:
            yield AssetCheckResult(
                asset_key=checked_asset(result.suite), check_name=result.suite, passed=result.success,
                description=result.message(),
                metadata={"rows": result.rows, "expectations": result.expectations, "seconds": result.seconds,
                          "failed_expectations": [f.describe() for f in result.failures],
                          "data_docs": MetadataValue.path(str(docs))})

    return gate


def gates() -> list[AssetChecksDefinition]:
    """The raw layer's gate and the marts' gate (none outside ``dev``: they read DuckDB files)."""
    if ENVIRONMENT != "dev":
        return []
    return [layer_gate("raw", RAW_SUITES), layer_gate("marts", MART_SUITES)]

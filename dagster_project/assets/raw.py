"""The warehouse's raw layer: the extract-load of the core's tables (Meltano, ``meltano.yml``).

One multi-asset, ``["raw", <table>]`` for each table the EL writes (``raw.<schema>_<table>``:
``raw/core_events``, ``raw/ledger_entries``, ...). A run extracts every table at once (one
Meltano run, incremental and commit-safe: a transaction that commits late is extracted by the
next run, never skipped), so the tables materialize together. Metadata per table: ``rows``, the
rows this run wrote to it (in prod: the rows the tap read); ``seconds``, the whole run's time.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    multi_asset,
)

from dagster_project.resources import LanaCore, Warehouse
from lana_core.warehouse.el import STREAMS, TABLES, extract_load


def raw_key(table: str) -> AssetKey:
    """The asset key of a raw-layer table (``core_events``: ``raw/core_events``)."""
    return AssetKey(["raw", table])


RAW_SPECS = [
    AssetSpec(raw_key(stream), group_name="raw", kinds={"meltano"},
              description=f"The core's {source} as the EL loads it: raw.{stream}, upserted on its key.")
    for source, stream in zip(TABLES, STREAMS, strict=True)
]


@multi_asset(specs=RAW_SPECS, name="extract_load", can_subset=False)
def raw_tables(context: AssetExecutionContext, core: LanaCore, warehouse: Warehouse):
    """Extract what changed in the core's PostgreSQL since the last run and load it."""
    with warehouse.variables():
        result = extract_load(core.url(), environment=warehouse.environment)
    context.log.info(f"extract-load ({result.environment}): {result.total:,} rows in {result.seconds:.1f} s")
    for stream in STREAMS:
        yield MaterializeResult(asset_key=raw_key(stream),
                                metadata={"rows": result.rows.get(stream, 0), "seconds": result.seconds})

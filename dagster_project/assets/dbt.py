"""The warehouse's models: every dbt model and seed of ``dbt_project/`` an asset, every data test
an asset check (``severity: error`` tests block what is downstream), with dagster-dbt.

The raw layer's dbt sources are the EL's assets (``raw/<table>``), so lineage runs from the
core's tables to the reports. Models keep their dbt names as keys (``trial_balance``,
``report_nrp_92_persona``) and are grouped by layer (staging, intermediate, marts; seeds).

dbt runs as a subprocess (``dbt build``, unit tests left to the test suite as in
``lana pipeline``), so its DuckDB connection ends with it and the next EL can write the raw file.
The manifest the assets are read from is ``dbt_project/target/dagster/manifest.json``, apart
from the CLI's own builds; it is produced at load time (``dbt parse``, a few seconds) when it is
missing or older than any file of the project.
"""

import fcntl
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from dagster_project.assets.raw import raw_key
from dagster_project.resources import ENVIRONMENT, Warehouse, dbt_executable
from lana_core.warehouse.transform import PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=PROJECT_DIR, target_path=Path("target", "dagster"), target=ENVIRONMENT)
# What the manifest is parsed from: a change to any of these makes it stale.
_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests", "seeds")


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """The project's manifest, parsed again first if it is missing or stale."""
    manifest = project.manifest_path
    manifest.parent.mkdir(parents=True, exist_ok=True)
    files = [p for name in _SOURCES for p in ([project.project_dir / name] if name.endswith(".yml")
                                              else (project.project_dir / name).rglob("*")) if p.is_file()]
    # `dagster dev` loads the definitions in several processes at once (webserver, daemon, code
    # server): one parses while the others wait, then find the manifest fresh and read it whole.
    with open(manifest.parent / "parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest.exists() or max(p.stat().st_mtime for p in files) > manifest.stat().st_mtime:
            DbtCliResource(project_dir=project, dbt_executable=dbt_executable()).cli(
                ["parse", "--quiet"], target_path=project.target_path).wait()
    return manifest


def attach_singular_tests(manifest: dict[str, Any]) -> dict[str, Any]:
    """dagster-dbt makes a singular test that reads several models a check only when the test
    names its model (``meta: {dagster: {ref: ...}}``); otherwise it is run but checks nothing.
    Name, for those that do not, the most downstream model they read (the one the others
    feed): ``daily_balances_end_at_the_ledgers_current_balances`` checks
    ``int_account_balances_daily``. Changes ``manifest`` in place and returns it."""
    nodes, parents = manifest["nodes"], manifest["parent_map"]

    def ancestors(unique_id: str, seen: set[str]) -> set[str]:
        for parent in parents.get(unique_id, []):
            if parent not in seen:
                seen.add(parent)
                ancestors(parent, seen)
        return seen

    for node in nodes.values():
        if node["resource_type"] != "test" or node.get("attached_node"):
            continue
        reads = [n for n in node["depends_on"]["nodes"] if n.startswith(("model.", "seed."))]
        meta = node.setdefault("config", {}).setdefault("meta", {})
        if len(reads) < 2 or "dagster" in meta:
            continue
        lineage = {n: ancestors(n, set()) for n in reads}
        checked = max(reads, key=lambda n: (sum(m in lineage[n] for m in reads), len(lineage[n]), n))
        meta["dagster"] = {"ref": {"name": nodes[checked]["name"]}}
    return manifest


def distinguish_test_names(manifest: dict[str, Any]) -> dict[str, Any]:
    """A check's name must be unique on its asset, and dbt names a generic test after its
    arguments only (two ``expression_is_true`` tests with one expression and different ``where``
    clauses share a name). Tests whose name another test of the same model shares are named
    ``<name>__<hash>``, the hash dbt ends their unique id with. Changes ``manifest`` in place."""
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    seen = Counter((n["name"], n.get("attached_node")) for n in tests)
    for node in tests:
        if seen[node["name"], node.get("attached_node")] > 1:
            node["name"] = f"{node['name']}__{node['unique_id'].rsplit('.', 1)[-1]}"
    return manifest


class LanaDbtTranslator(DagsterDbtTranslator):
    """dbt sources are the raw layer's EL assets; models are grouped by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_key(dbt_resource_props["identifier"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return dbt_resource_props["fqn"][1]  # staging, intermediate, marts


MANIFEST = distinguish_test_names(attach_singular_tests(json.loads(prepare_manifest().read_text())))


@dbt_assets(manifest=MANIFEST, project=DBT_PROJECT, dagster_dbt_translator=LanaDbtTranslator(), name="dbt_models")
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """``dbt build`` of the selected models and seeds, with their data tests."""
    with warehouse.variables():
        invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context)
    yield from invocation.stream()


def dbt_resource() -> DbtCliResource:
    """dbt on this project, with its profiles.yml and the environment's target."""
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable(), target=ENVIRONMENT)

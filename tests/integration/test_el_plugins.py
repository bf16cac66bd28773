"""scripts/meltano.sh installs every plugin meltano.yml declares, pinned, each able to start (the
prod loader too: it is tested against a BigQuery emulator elsewhere), the DuckDB loader with the
duckdb it is pinned to."""

from __future__ import annotations

import json
import subprocess

import pytest

from lana_core.config import PROJECT_ROOT

PLUGINS = {"tap-postgres": "extractors", "target-duckdb": "loaders", "target-bigquery": "loaders"}


def run(*command: str) -> str:
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed() -> None:
    run("bash", str(PROJECT_ROOT / "scripts" / "meltano.sh"))


@pytest.mark.parametrize("plugin", PLUGINS)
def test_each_plugin_is_installed_and_starts(installed, plugin: str):
    bin_dir = PROJECT_ROOT / ".meltano" / PLUGINS[plugin] / plugin / "venv" / "bin"
    if plugin == "target-duckdb":  # an older target, without --about
        version = run(str(bin_dir / "python"), "-c", "import duckdb, target_duckdb; print(duckdb.__version__)")
        assert version.strip() == "1.2.2"
    else:
        assert json.loads(run(str(bin_dir / plugin), "--about", "--format=json"))["name"] == plugin

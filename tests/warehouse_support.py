"""What the data-platform tests share: a simulated bank carried through the real pipeline, and a
local BigQuery."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from lana_core.app import AppConfig, Lana
from lana_core.db import Database
from lana_core.simulation import Spec, open_simulation
from lana_core.warehouse.el import extract_load
from lana_core.warehouse.transform import build


@contextmanager
def simulated_warehouse(server, template_db, folder: Path, spec: Spec,  # type: ignore[no-untyped-def]
                        stretches: Sequence[int]) -> Iterator[tuple[Lana, Path]]:
    """A bank simulated on a database of its own, ``stretches`` months at a time, extracted and
    built into ``folder`` after each stretch (the builds after the first are incremental);
    yields (the core's app, the warehouse folder)."""
    from tests.conftest import fresh_database

    with fresh_database(server, template_db) as url:
        app, sim = open_simulation(url, spec)
        mp = pytest.MonkeyPatch()
        mp.setenv("LANA_WAREHOUSE_DIR", str(folder))
        try:
            for months in stretches:
                sim.run(months)
                extract_load(url)
                build(folder)  # every model and its data tests
            app.db.close()
            with Database(url) as db:
                yield Lana(db, AppConfig()), folder
        finally:
            mp.undo()


@contextmanager
def local_bigquery():  # type: ignore[no-untyped-def]
    """A local BigQuery emulator for a test module. Skipped, with the reason, when the emulator
    cannot be installed on this machine (it needs only PyPI); on CI (``CI`` set) a failure."""
    from lana_core.warehouse.bigquery_emulator import (
        EmulatorError,
        bigquery_emulator,
        ensure_installed,
    )

    try:
        ensure_installed()
    except EmulatorError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"the BigQuery emulator cannot be installed here: {str(error).splitlines()[0]}")
    with bigquery_emulator() as emulator:
        yield emulator

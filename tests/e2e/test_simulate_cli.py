"""``lana simulate``: the same arguments give the same bank byte for byte (ledger entries and
events), in separate processes with different hash seeds; a simulation continued later is the
one run at once; another seed is another bank."""

from __future__ import annotations

import json

import psycopg
import pytest

from lana_core.simulation.engine import SUPERUSER
from tests.conftest import fresh_database
from tests.e2e.cli import lana

ARGS = ("--customers", "12", "--start-date", "2025-12-10")


@pytest.fixture
def bank_urls(server, template_db):
    """Empty migrated databases, as many as a test asks for."""
    opened = []

    def new() -> str:
        context = fresh_database(server, template_db)
        opened.append(context)
        return context.__enter__()

    yield new
    for context in opened:
        context.__exit__(None, None, None)


def simulate(url: str, tmp_path, *args: str, hash_seed: str = "0") -> dict:
    env = {"LANA_DATABASE_URL": url, "LANA_HOME": str(tmp_path / "home"), "PYTHONHASHSEED": hash_seed}
    return json.loads(lana("simulate", *args, "--format", "json", env=env).stdout)


def fingerprint(url: str, tmp_path, name: str) -> tuple[bytes, bytes]:
    """The ledger entries as ``lana ledger export-entries`` writes them, and every event."""
    output = tmp_path / f"{name}.csv"
    lana("--as", SUPERUSER, "ledger", "export-entries", "--output", str(output),
         env={"LANA_DATABASE_URL": url, "LANA_HOME": str(tmp_path / "home")})
    with psycopg.connect(url) as conn:
        events = conn.execute(
            "SELECT string_agg(concat_ws('|', stream_id, version, event_type, payload::text, recorded_at, actor), "
            "E'\\n' ORDER BY recorded_at, stream_id, version) FROM core.events").fetchone()[0]
    return output.read_bytes(), events.encode()


def test_the_same_seed_gives_the_same_bank_and_continuing_gives_the_same_as_one_run(bank_urls, tmp_path):
    first, second, stepwise, other = bank_urls(), bank_urls(), bank_urls(), bank_urls()
    summary = simulate(first, tmp_path, "--seed", "11", "--months", "2", *ARGS, hash_seed="1")
    assert summary["simulated_through"] == "2026-02-09" and summary["invariant_violations"] == []
    simulate(second, tmp_path, "--seed", "11", "--months", "2", *ARGS, hash_seed="2")
    simulate(stepwise, tmp_path, "--seed", "11", "--months", "1", *ARGS, hash_seed="3")
    continued = simulate(stepwise, tmp_path, "--months", "1")  # seed, customers and start come from the bank
    assert continued["simulated_through"] == "2026-02-09"
    simulate(other, tmp_path, "--seed", "12", "--months", "2", *ARGS)

    entries, events = fingerprint(first, tmp_path, "first")
    assert entries.count(b"\n") > 300
    assert fingerprint(second, tmp_path, "second") == (entries, events)
    assert fingerprint(stepwise, tmp_path, "stepwise") == (entries, events)
    assert fingerprint(other, tmp_path, "other")[0] != entries


def test_a_simulation_goes_on_only_as_itself(bank_urls, tmp_path):
    url = bank_urls()
    simulate(url, tmp_path, "--seed", "11", "--months", "1", *ARGS)
    result = lana("simulate", "--seed", "12", "--months", "1", env={"LANA_DATABASE_URL": url,
                                                                   "LANA_HOME": str(tmp_path / "home")}, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: this bank is simulation seed 11, 12 customers, from 2025-12-10: continue it with those "
        "(or simulate into an empty database)")

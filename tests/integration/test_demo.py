"""The demo: the simulated bank, built once; running it again changes nothing."""

from __future__ import annotations

from datetime import date

from lana_core.app import AppConfig, Lana
from lana_core.db import Database
from lana_core.demo import DEMO, run_demo
from lana_core.simulation import Spec
from tests.integration.conftest import snapshot


def test_the_demo_is_a_simulated_bank_and_a_second_run_changes_nothing(database_url):
    small = Spec(seed=DEMO.seed, customers=12, start_date=date(2025, 12, 1))
    days = []
    first = run_demo(database_url, spec=small, months=1, on_day=lambda day, done, total: days.append((done, total)))
    assert (first.first, first.last, first.simulated_days) == (date(2025, 12, 1), date(2025, 12, 31), 31)
    assert days[0] == (1, 31) and days[-1] == (31, 31)
    assert first.summary.simulated_through == date(2025, 12, 31) and first.summary.invariant_violations == []
    assert first.summary.counts["customers"]["active"] >= 10

    with Database(database_url) as db:
        app = Lana(db, AppConfig())
        before = snapshot(app)
        again = run_demo(database_url, spec=small, months=1)
        assert again.simulated_days == 0 and snapshot(app) == before


"""The core's periodic jobs as Dagster runs them, on a bank ready for business: the end of day
closes a day (logged in core.job_runs, refused for a day not over), the price fetch publishes the
active providers' median (and fails, saying why, when none answers)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dagster_project.jobs import end_of_day_job, price_fetch_job
from dagster_project.resources import LanaCore
from lana_core.access.domain import Actor
from lana_core.app import AppConfig, Lana
from lana_core.setup import setup


@pytest.fixture
def core(db, database_url) -> LanaCore:
    setup(Lana(db, AppConfig()), "root@bank.example")
    return LanaCore(database_url=database_url)


def test_the_end_of_day_job_closes_a_day_and_refuses_one_not_over(core, db):
    today = datetime.now(timezone.utc).date()  # the core's clock here is the system's
    yesterday = today - timedelta(days=1)
    result = end_of_day_job.execute_in_process(
        run_config={"ops": {"close_day": {"config": {"day": yesterday.isoformat(), "fetch_price": False}}}},
        resources={"core": core})
    assert result.success
    with db.unit_of_work() as uow:
        assert uow.conn.execute("SELECT job, day, outcome FROM core.job_runs").fetchall() == [
            ("end-of-day", yesterday, "completed")]
    refused = end_of_day_job.execute_in_process(
        run_config={"ops": {"close_day": {"config": {"day": today.isoformat()}}}},
        resources={"core": core}, raise_on_error=False)
    assert not refused.success
    assert "has not ended yet" in refused.get_step_failure_events()[0].event_specific_data.error.to_string()


def test_the_price_fetch_job_publishes_the_median_or_says_why_not(core, db):
    admin = Actor.system("test")
    app = Lana(db, AppConfig())
    app.prices.deactivate_provider(admin, "bitfinex")
    failed = price_fetch_job.execute_in_process(resources={"core": core}, raise_on_error=False)
    assert not failed.success
    assert "no price provider is active" in failed.get_step_failure_events()[0].event_specific_data.error.to_string()
    app.prices.set_manual_price(admin, "manual", 9_500_000)
    app.prices.activate_provider(admin, "manual")
    assert price_fetch_job.execute_in_process(resources={"core": core}).success
    assert app.prices.current_price(admin).price_cents_per_btc == 9_500_000

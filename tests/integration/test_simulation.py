"""A small simulated bank (30 customers, 3 months across a year end): it goes through every
obligation status and every collateralization state, closes its books, keeps the ledger's
invariants, and every entity it leaves restores from its snapshot as from its events."""

from __future__ import annotations

from datetime import date

import pytest

from lana_core.accounting.statements import YEAR_END_CLOSING
from lana_core.credit.calculations import Collateralization, PendingCollateralization
from lana_core.credit.obligation import ObligationStatus
from lana_core.eventsourcing import Aggregate
from lana_core.eventsourcing.codec import decode_dataclass
from lana_core.simulation import Spec, open_simulation
from lana_core.simulation.engine import ACCOUNTANT, OFFICERS, TELLER
from lana_core.simulation.summary import summarize

START = date(2025, 11, 1)


@pytest.fixture(scope="module")
def simulated(server, template_db):
    """One simulation for the module's tests (it is the slow part)."""
    from tests.conftest import fresh_database

    with fresh_database(server, template_db) as url:
        app, sim = open_simulation(url, Spec(seed=7, customers=30, start_date=START))
        first, last = sim.run(3)
        assert (first, last) == (START, date(2026, 1, 31))
        try:
            yield app
        finally:
            app.db.close()


def test_every_obligation_status_and_collateralization_state_is_reached(simulated):
    with simulated.db.unit_of_work() as uow:
        summary = summarize(uow)
    assert summary.simulated_through == date(2026, 1, 31)
    assert summary.reached["obligation statuses"] == sorted(s.value for s in ObligationStatus)
    assert set(summary.reached["collateralization states"]) == {s.value for s in Collateralization} | {
        s.value for s in PendingCollateralization}
    assert {"active", "matured", "closed"} <= set(summary.reached["facility statuses"])
    assert summary.counts["liquidations"].get("completed", 0) >= 1
    assert {"confirmed", "denied", "cancelled"} <= set(summary.counts["withdrawals"])
    assert summary.counts["deposits"].get("reverted", 0) >= 1
    assert summary.counts["kyc"].get("rejected", 0) >= 1
    assert summary.invariant_violations == []
    assert summary.ledger["entries"] > 1_000


def test_the_books_are_closed_month_by_month_and_at_the_year_end(simulated):
    books = simulated.actor(ACCOUNTANT)
    years = {y.year: y for y in simulated.accounting.fiscal_years(books)}
    assert years[2025].closed and years[2025].net_income["USD"] != 0
    assert not years[2026].closed
    with simulated.db.unit_of_work() as uow:
        closings = uow.conn.execute(
            "SELECT count(*) FROM ledger.transactions WHERE metadata->>'kind' = %s", (YEAR_END_CLOSING,)
        ).fetchone()[0]
    assert closings >= 1
    trial = simulated.accounting.trial_balance(books, START, date(2026, 1, 31))
    assert trial.totals.balanced


def test_staff_act_through_access_control_and_every_act_is_audited(simulated):
    with simulated.db.unit_of_work() as uow:
        subjects = dict(uow.conn.execute(
            "SELECT u.state->>'email', count(*) FROM access.audit_log a "
            "JOIN core.entities u ON a.subject = 'user:' || u.stream_id WHERE u.stream_type = 'user' "
            "AND a.outcome = 'allowed' GROUP BY 1").fetchall())
        refused = uow.conn.execute("SELECT count(*) FROM access.audit_log WHERE outcome = 'denied'").fetchone()[0]
    assert {TELLER, ACCOUNTANT, *OFFICERS} <= set(subjects)
    assert refused == 0  # every member of staff held the permission for what they did


def test_every_entity_restores_from_its_snapshot_as_from_its_events(simulated):
    kinds = {cls.stream_type: cls for cls in _aggregates() if cls.restorable}
    with simulated.db.unit_of_work() as uow:
        rows = uow.conn.execute(
            "SELECT stream_id, stream_type, version, state FROM core.entities ORDER BY stream_id").fetchall()
        checked = 0
        for stream_id, stream_type, version, state in rows:
            cls = kinds.get(stream_type)
            if cls is None:
                continue
            by_type = {t.event_type(): t for t in cls.event_types}
            events = [decode_dataclass(by_type[t], p) for t, p in uow.conn.execute(
                "SELECT event_type, payload FROM core.events WHERE stream_id = %s ORDER BY version", (stream_id,))]
            replayed = cls.rehydrate(stream_id, events)
            restored = cls.restore(stream_id, version, state)
            assert restored is not None and replayed.version == version
            assert restored.snapshot() == replayed.snapshot(), (stream_type, stream_id)
            checked += 1
    assert checked > 500


def _aggregates() -> set[type[Aggregate]]:
    import lana_core.app  # noqa: F401  (imports every context)
    import lana_core.credit.end_of_day  # noqa: F401

    def below(cls: type) -> set[type]:
        return {sub for direct in cls.__subclasses__() for sub in {direct, *below(direct)}}

    return below(Aggregate)

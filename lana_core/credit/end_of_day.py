"""What a day's end means for credit: interest accrues, cycles bill their interest, obligations
age, facilities mature and are re-valued.

Facilities are processed in chunks, one transaction per chunk: the chunk's facilities, cycles,
obligations and balances are read in a few queries, every posting goes in one batch and every
changed entity in one save. If a chunk fails, its facilities are retried one per transaction,
so a facility that cannot be processed holds back only itself (it is reported and the next run
retries it). Safe to run twice for the same day (the second run finds nothing to do) and to
resume after a failure: it catches up on every day not yet processed, up to the day asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from lana_core.access.domain import Actor
from lana_core.credit import calculations as calc
from lana_core.credit import ledger as cl
from lana_core.credit.facility import CreditFacility, FacilityStatus
from lana_core.credit.interest import Accrual, CycleStatus, InterestAccrualCycle
from lana_core.credit.obligation import Obligation, ObligationKind, ObligationStatus
from lana_core.credit.terms import Interval
from lana_core.db import UnitOfWork
from lana_core.errors import LanaError
from lana_core.eventsourcing import Aggregate
from lana_core.ledger import PostingRequest

if TYPE_CHECKING:
    from lana_core.credit.service import CreditService

END_OF_DAY = Actor.system("end-of-day")
CHUNK = 200  # facilities per transaction


@dataclass
class CreditDayReport:
    """What the day's run did: facilities processed, accruals posted, cycles billed, obligation
    status changes, maturities, and failures (facility id and reason) left for the next run."""

    day: date
    facilities: int = 0
    accruals: int = 0
    cycles_completed: int = 0
    obligation_changes: int = 0
    matured: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, other: CreditDayReport) -> None:
        self.facilities += other.facilities
        self.accruals += other.accruals
        self.cycles_completed += other.cycles_completed
        self.obligation_changes += other.obligation_changes
        self.matured += other.matured


@dataclass
class _Batch:
    """What processing a chunk produces, written at its end: postings in order, changed entities."""

    postings: list[PostingRequest] = field(default_factory=list)
    changed: list[Aggregate] = field(default_factory=list)


class CreditEndOfDay:
    def __init__(self, service: CreditService) -> None:
        self.service = service
        self.app = service.app

    def run(self, day: date) -> CreditDayReport:
        report = CreditDayReport(day)
        with self.app.db.unit_of_work() as uow:
            ids = uow.events.find_ids(CreditFacility, "state->>'status' IN ('active', 'matured')")
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            try:
                report.add(self._run_chunk(chunk, day))
            except LanaError:
                for facility_id in chunk:  # isolate the facility that failed
                    try:
                        report.add(self._run_chunk([facility_id], day))
                    except LanaError as exc:  # audited by the operation; the next run retries it
                        report.failures.append(f"{facility_id}: {exc}")
        return report

    def _run_chunk(self, ids: list[UUID], day: date) -> CreditDayReport:
        target = f"credit/credit-facility/{ids[0]}" if len(ids) == 1 else "credit/credit-facility/*"
        part = CreditDayReport(day)
        with self.app.operation(END_OF_DAY, target, "credit:credit-facility:end-of-day") as uow:
            self.process(uow, uow.events.load_many(CreditFacility, ids), day, part)
        return part

    def process(self, uow: UnitOfWork, facilities: list[CreditFacility], day: date, report: CreditDayReport) -> None:
        keys = [str(f.id) for f in facilities]
        cycles = {c.facility_id: c for c in uow.events.find_all(
            InterestAccrualCycle, "state->>'facility_id' = ANY(%s) AND state->>'status' = %s",
            (keys, CycleStatus.ACCRUING.value))}
        obligations: dict[UUID, list[Obligation]] = defaultdict(list)
        for o in uow.events.find_all(Obligation, "state->>'facility_id' = ANY(%s) AND state->>'status' <> 'paid'",
                                     (keys,), order="created_at, stream_id"):
            obligations[o.facility_id].append(o)
        balances = self.service.balances_of_many(uow, facilities)
        batch = _Batch()
        for facility in facilities:
            # Principal interest is charged on: disbursed, not yet paid, not defaulted. Nothing
            # pays it down during the run, so it holds for every day being caught up on.
            principal = sum(v for k, v in balances[facility.id].principal.items() if k != "defaulted")
            billed = self._accrue(facility, cycles.get(facility.id), principal, day, batch, report)
            self._age(facility, obligations[facility.id] + billed, day, batch, report)
            if facility.status is FacilityStatus.ACTIVE and facility.maturity_date <= day:
                facility.mature(facility.maturity_date)
                batch.changed.append(facility)
                report.matured += 1
        if batch.postings:
            uow.ledger.post_many(batch.postings)
        uow.events.save(*batch.changed)
        report.facilities += len(facilities)
        current = self.app.prices.current(uow)
        if current is not None:
            self.service.evaluate_all(uow, facilities, current[0])

    def _accrue(self, facility: CreditFacility, cycle: InterestAccrualCycle | None, principal: int, day: date,
                batch: _Batch, report: CreditDayReport) -> list[Obligation]:
        """Accrue every day up to ``day``; bill each cycle that ends; returns the obligations billed."""
        terms, fid, billed = facility.terms, facility.id, []
        while cycle is not None:
            while cycle.next_day is not None and cycle.next_day <= day:
                first = cycle.next_day
                last = first if terms.accrual_interval is Interval.END_OF_DAY else cycle.end
                if last > day:
                    break
                days = (last - first).days + 1
                amount = calc.interest(principal, days, terms.annual_rate)
                tx = None
                if amount:
                    tx = self.app.db.ids()
                    batch.postings.append(PostingRequest(
                        template=cl.ACCRUE_INTEREST, transaction_id=tx, effective_date=last,
                        idempotency_key=f"credit:cycle:{cycle.id}:{last}", params={
                            "receivable": cl.receivable(fid, ObligationKind.INTEREST, ObligationStatus.NOT_YET_DUE),
                            "income": cl.INTEREST_INCOME, "amount": amount, "reference": f"{fid} {last}"}))
                    report.accruals += 1
                cycle.accrue(Accrual(last, days, principal, amount, tx))
            batch.changed.append(cycle)
            if cycle.next_day is not None or cycle.end > day:
                return billed
            cycle, obligation = self._complete(facility, cycle, batch, report)
            if obligation is not None:
                billed.append(obligation)
        return billed

    def _complete(self, facility: CreditFacility, cycle: InterestAccrualCycle, batch: _Batch,
                  report: CreditDayReport) -> tuple[InterestAccrualCycle | None, Obligation | None]:
        """Bill the cycle's interest as an obligation due at its end; start the next cycle."""
        fid, total = facility.id, cycle.accrued
        obligation = tx = None
        if total:
            tx = self.app.db.ids()
            batch.postings.append(PostingRequest(
                template=cl.POST_ACCRUED_INTEREST, transaction_id=tx, effective_date=cycle.end,
                idempotency_key=f"credit:cycle:{cycle.id}:post", params={
                    "income": cl.INTEREST_INCOME,
                    "receivable": cl.receivable(fid, ObligationKind.INTEREST, ObligationStatus.NOT_YET_DUE),
                    "interest_added": cl.INTEREST_ADDED_OMNIBUS, "uncovered": cl.account(fid, "UNCOVERED"),
                    "amount": total, "reference": f"{fid} cycle {cycle.index}"}))
            obligation = Obligation.create(self.app.db.ids(), fid, ObligationKind.INTEREST, total,
                                           f"interest {cycle.start} to {cycle.end}", cycle.end, cycle.end,
                                           facility.terms)
            batch.changed.append(obligation)
        cycle.complete(obligation and obligation.id, tx)
        report.cycles_completed += 1
        start = cycle.end + timedelta(days=1)
        if start >= facility.maturity_date:
            return None, obligation
        following = InterestAccrualCycle.start_cycle(
            self.app.db.ids(), fid, cycle.index + 1, start,
            calc.cycle_end(start, facility.terms.accrual_cycle_interval, facility.maturity_date))
        return following, obligation

    def _age(self, facility: CreditFacility, obligations: list[Obligation], day: date, batch: _Batch,
             report: CreditDayReport) -> None:
        """Move each obligation through the statuses the calendar has reached, with its balance."""
        fid = facility.id
        for obligation in obligations:
            steps = obligation.transitions_through(day)
            for status, on in steps:
                source = cl.receivable(fid, obligation.kind, obligation.receivable_status)
                target = cl.receivable(fid, obligation.kind, status)
                tx = None
                if source != target and obligation.outstanding:
                    tx = self.app.db.ids()
                    batch.postings.append(PostingRequest(
                        template=cl.MOVE_RECEIVABLE, transaction_id=tx, effective_date=on,
                        idempotency_key=f"credit:obligation:{obligation.id}:{status}", params={
                            "to": target, "from": source, "amount": obligation.outstanding,
                            "reference": f"{obligation.reference} {status}"}))
                obligation.move_to(status, on, tx)
                report.obligation_changes += 1
            if steps:
                batch.changed.append(obligation)

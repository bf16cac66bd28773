"""What a day's end means for credit: interest accrues, cycles bill their interest, obligations
age, facilities mature. Per facility, in its own transaction; safe to run twice for the same
day (the second run finds nothing to do) and to resume after a failure (it catches up on every
day not yet processed, up to the day asked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from lana_core.access.domain import Actor
from lana_core.credit import calculations as calc
from lana_core.credit import ledger as cl
from lana_core.credit.facility import CreditFacility, FacilityStatus
from lana_core.credit.interest import Accrual, InterestAccrualCycle
from lana_core.credit.obligation import ObligationKind, ObligationStatus
from lana_core.credit.terms import Interval
from lana_core.db import UnitOfWork
from lana_core.errors import LanaError

if TYPE_CHECKING:
    from lana_core.credit.service import CreditService

END_OF_DAY = Actor.system("end-of-day")


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


class CreditEndOfDay:
    def __init__(self, service: CreditService) -> None:
        self.service = service
        self.app = service.app

    def run(self, day: date) -> CreditDayReport:
        report = CreditDayReport(day)
        with self.app.db.unit_of_work() as uow:
            ids = uow.events.find_ids(CreditFacility, "state->>'status' IN ('active', 'matured')")
        for facility_id in ids:
            try:
                with self.app.operation(END_OF_DAY, f"credit/credit-facility/{facility_id}",
                                        "credit:credit-facility:end-of-day") as uow:
                    self.process(uow, uow.events.load(CreditFacility, facility_id), day, report)
                report.facilities += 1
            except LanaError as exc:  # audited by the operation; the next run retries it
                report.failures.append(f"{facility_id}: {exc}")
        return report

    def process(self, uow: UnitOfWork, facility: CreditFacility, day: date, report: CreditDayReport) -> None:
        self._accrue(uow, facility, day, report)
        self._age_obligations(uow, facility, day, report)
        if facility.status is FacilityStatus.ACTIVE and facility.maturity_date <= day:
            facility.mature(facility.maturity_date)
            uow.events.save(facility)
            report.matured += 1
        self.service.evaluate(uow, facility)

    def _accrue(self, uow: UnitOfWork, facility: CreditFacility, day: date, report: CreditDayReport) -> None:
        terms, fid = facility.terms, facility.id
        cycle = self.service.running_cycle(uow, fid)
        while cycle is not None:
            while cycle.next_day is not None and cycle.next_day <= day:
                first = cycle.next_day
                last = first if terms.accrual_interval is Interval.END_OF_DAY else cycle.end
                if last > day:
                    break
                days = (last - first).days + 1
                principal = self._principal(uow, facility)
                amount = calc.interest(principal, days, terms.annual_rate)
                tx = None
                if amount:
                    tx = uow.ledger.post(cl.ACCRUE_INTEREST, {
                        "receivable": cl.receivable(fid, ObligationKind.INTEREST, ObligationStatus.NOT_YET_DUE),
                        "income": cl.INTEREST_INCOME, "amount": amount, "reference": f"{fid} {last}",
                    }, effective_date=last, idempotency_key=f"credit:cycle:{cycle.id}:{last}").id
                    report.accruals += 1
                cycle.accrue(Accrual(last, days, principal, amount, tx))
            if cycle.next_day is not None or cycle.end > day:
                uow.events.save(cycle)
                return
            cycle = self._complete(uow, facility, cycle, report)

    def _complete(self, uow: UnitOfWork, facility: CreditFacility, cycle: InterestAccrualCycle,
                  report: CreditDayReport) -> InterestAccrualCycle | None:
        """Bill the cycle's interest as an obligation due at its end; start the next cycle."""
        fid, total = facility.id, cycle.accrued
        obligation_id = tx_id = None
        if total:
            tx_id = uow.ledger.post(cl.POST_ACCRUED_INTEREST, {
                "income": cl.INTEREST_INCOME,
                "receivable": cl.receivable(fid, ObligationKind.INTEREST, ObligationStatus.NOT_YET_DUE),
                "interest_added": cl.INTEREST_ADDED_OMNIBUS, "uncovered": cl.account(fid, "UNCOVERED"),
                "amount": total, "reference": f"{fid} cycle {cycle.index}",
            }, effective_date=cycle.end, idempotency_key=f"credit:cycle:{cycle.id}:post").id
            obligation_id = self.service._new_obligation(
                uow, facility, ObligationKind.INTEREST, total, f"interest {cycle.start} to {cycle.end}",
                cycle.end, cycle.end).id
        cycle.complete(obligation_id, tx_id)
        uow.events.save(cycle)
        report.cycles_completed += 1
        start = cycle.end + timedelta(days=1)
        if start >= facility.maturity_date:
            return None
        following = InterestAccrualCycle.start_cycle(
            self.app.db.ids(), fid, cycle.index + 1, start,
            calc.cycle_end(start, facility.terms.accrual_cycle_interval, facility.maturity_date))
        uow.events.save(following)
        return following

    def _principal(self, uow: UnitOfWork, facility: CreditFacility) -> int:
        """Principal interest is charged on: disbursed, not yet paid, not defaulted."""
        balances = self.service.balances_in(uow, facility)
        return sum(v for k, v in balances.principal.items() if k != "defaulted")

    def _age_obligations(self, uow: UnitOfWork, facility: CreditFacility, day: date,
                         report: CreditDayReport) -> None:
        fid = facility.id
        for obligation in self.service._open_obligations(uow, fid):
            for status, on in obligation.transitions_through(day):
                source = cl.receivable(fid, obligation.kind, obligation.receivable_status)
                target = cl.receivable(fid, obligation.kind, status)
                tx = None
                if source != target and obligation.outstanding:
                    tx = uow.ledger.post(cl.MOVE_RECEIVABLE, {
                        "to": target, "from": source, "amount": obligation.outstanding,
                        "reference": f"{obligation.reference} {status}",
                    }, effective_date=on, idempotency_key=f"credit:obligation:{obligation.id}:{status}").id
                obligation.move_to(status, on, tx)
                report.obligation_changes += 1
            uow.events.save(obligation)

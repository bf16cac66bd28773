"""The simulator: a bank's days, one after the other, through the real services.

Every operation goes through the services operators use, as one of the bank's staff (RBAC and
audit included): the teller records deposits and payments, officers vote in committees and
propose facilities, the liquidation desk sells collateral, the accountant keeps the books. The
KYC provider calls its webhook; the simulated custodian reports wallet balances; a simulated
price provider publishes the day's price each morning; the end-of-day job closes each day.

Time is a FixedClock set before each operation; ids come from a generator reseeded each day:
the same seed and arguments give the same bank, id for id. All randomness comes from
``random.Random`` seeded by strings naming the seed, the day or customer and the purpose.
The state needed to go on lives in the database (``simulation.runs`` and the entities), so a
simulation can be continued later by another process.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import UUID

from lana_core.access.domain import Actor
from lana_core.accounting.domain import ManualLine
from lana_core.app import Lana
from lana_core.clock import FixedClock
from lana_core.credit.calculations import (
    Collateralization,
    cents_to_sats,
    scale,
)
from lana_core.credit.facility import CreditFacility, FacilityStatus
from lana_core.credit.liquidation import Liquidation, LiquidationStatus
from lana_core.credit.obligation import Obligation
from lana_core.credit.terms import DisbursalPolicy, Interval, TermValues
from lana_core.customer.kyc import sign
from lana_core.errors import LanaError
from lana_core.governance.domain import ProcessType
from lana_core.ids import SeededIds
from lana_core.jobs import end_of_day, price_fetch
from lana_core.ledger import Direction
from lana_core.money import Currency
from lana_core.price import simulated
from lana_core.price.domain import Crash, SimulatedConfig
from lana_core.simulation import population
from lana_core.simulation.population import LATE, NEVER, ON_TIME, PARTIAL, Profile

SUPERUSER = "sim.admin@lana.bank"
TELLER = "teller@lana.bank"
OFFICERS = ("officer.ana@lana.bank", "officer.ben@lana.bank", "officer.cruz@lana.bank")
ACCOUNTANT = "accountant@lana.bank"
CREDIT_COMMITTEE, WITHDRAWALS_COMMITTEE = "Credit Committee", "Withdrawals Committee"
KYC_SECRET = "lana-simulation-kyc-secret"
PRICE_PROVIDER, CUSTODIAN = "simulated-market", "Simulated Custody"
START_PRICE = 90_000_00  # cents per bitcoin on the first day

# The products borrowers choose from (terms templates), from the shortest.
PRODUCTS: dict[str, TermValues] = {
    "Bridge 1M": TermValues(Decimal(15), 1, Interval.END_OF_DAY, Interval.END_OF_MONTH, Decimal(2), Decimal(140),
                            Decimal(125), Decimal(105), DisbursalPolicy.SINGLE, 3, 10, 20),
    "Retail 6M": TermValues(Decimal(12), 6, Interval.END_OF_DAY, Interval.END_OF_MONTH, Decimal(1), Decimal(140),
                            Decimal(125), Decimal(105), DisbursalPolicy.SINGLE, 15, 45, 90),
    "Credit Line 12M": TermValues(Decimal(11), 12, Interval.END_OF_DAY, Interval.END_OF_MONTH, Decimal("0.5"),
                                  Decimal(150), Decimal(130), Decimal(110), DisbursalPolicy.MULTIPLE, 15, 45, 90),
    "Corporate 24M": TermValues(Decimal(9), 24, Interval.END_OF_DAY, Interval.END_OF_MONTH, Decimal("0.25"),
                                Decimal(140), Decimal(120), Decimal(105), DisbursalPolicy.MULTIPLE, 30, 60, 120),
}


@dataclass(frozen=True)
class Spec:
    """What a simulation is: its seed, how many customers, the day it starts."""

    seed: int
    customers: int
    start_date: date


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def market(seed: int, start: date) -> SimulatedConfig:
    """The simulated market: the seed's path from START_PRICE, with crashes 45 days in and then
    every six months for ten years, deep enough that facilities at 145-230 % fall under the
    margin call or the liquidation threshold."""
    crashes = tuple(Crash(start + timedelta(days=45 + 182 * i), -4500 if i % 2 == 0 else -3500, 4) for i in range(20))
    return SimulatedConfig(seed=seed, start_date=start, start_price_cents=START_PRICE, crashes=crashes)


class Simulation:
    def __init__(self, app: Lana, clock: FixedClock, ids: SeededIds, spec: Spec,
                 on_day: Callable[[date, int], None] | None = None) -> None:
        self.app, self.clock, self.ids, self.spec = app, clock, ids, spec
        self.on_day = on_day or (lambda day, index: None)
        self.market = market(spec.seed, spec.start_date)
        self.profiles = [population.profile(spec.seed, i, tuple(PRODUCTS)) for i in range(spec.customers)]
        self.by_email = {p.email: p for p in self.profiles}
        self._second = 0
        self._actors: dict[str, Actor] = {}
        self._custodian_id: UUID | None = None
        self.customer_ids: dict[int, UUID] = {}
        self.account_ids: dict[int, UUID] = {}

    # --- the run ------------------------------------------------------------------------

    def prepare(self) -> date:
        """Open the bank (a new simulation) or check it can go on; returns the next day to simulate."""
        return self._resume()

    def run(self, months: int) -> tuple[date, date]:
        """Simulate ``months`` more months; returns the first and last day simulated."""
        first = self.prepare()
        return self.simulate(first, add_months(first, months) - timedelta(days=1))

    def simulate(self, first: date, last: date) -> tuple[date, date]:
        """Simulate the days from ``first`` (what ``prepare`` returned) to ``last``."""
        day = first
        while day <= last:
            self._day(day)
            self.on_day(day, (day - self.spec.start_date).days)
            day += timedelta(days=1)
        return first, last

    def _resume(self) -> date:
        with self.app.db.unit_of_work() as uow:
            row = uow.conn.execute(
                "SELECT seed, customers, start_date, simulated_through, day_in_progress FROM simulation.runs WHERE id = 1"
            ).fetchone()
        if row is None:
            self._open_bank()
            return self.spec.start_date
        seed, customers, start, through, in_progress = row
        if in_progress is not None:
            raise LanaError(
                f"the simulation stopped in the middle of {in_progress}: what that day did so far cannot be told "
                "from what it did not, so the run cannot go on reproducibly; simulate into an empty database"
            )
        if (seed, customers, start) != (self.spec.seed, self.spec.customers, self.spec.start_date):
            raise LanaError(
                f"this bank is simulation seed {seed}, {customers} customers, from {start}: continue it with those "
                "(or simulate into an empty database)"
            )
        self._load_known()
        return through + timedelta(days=1)

    def _load_known(self) -> None:
        with self.app.db.unit_of_work() as uow:
            for stream_id, email in uow.conn.execute(
                    "SELECT stream_id, state->>'email' FROM core.entities WHERE stream_type = 'customer'"):
                if email in self.by_email:
                    self.customer_ids[self.by_email[email].index] = stream_id
            index_of = {cid: i for i, cid in self.customer_ids.items()}
            for stream_id, holder in uow.conn.execute(
                    "SELECT stream_id, (state->>'holder_id')::uuid FROM core.entities "
                    "WHERE stream_type = 'deposit_account' ORDER BY created_at, stream_id"):
                if holder in index_of:
                    self.account_ids.setdefault(index_of[holder], stream_id)

    # --- setting the bank up --------------------------------------------------------------

    def _open_bank(self) -> None:
        from lana_core.setup import setup

        spec, app = self.spec, self.app
        with app.db.unit_of_work() as uow:
            customers = uow.conn.execute(
                "SELECT count(*) FROM core.entities WHERE stream_type = 'customer'").fetchone()[0]
        if customers:
            raise LanaError(f"this database holds a bank that was not simulated ({customers} customers): "
                            "simulate into an empty database")
        self._morning(spec.start_date, time(6, 0))  # before the first day's business opens
        setup(app, SUPERUSER)
        admin = self._actor(SUPERUSER)
        app.access.create_user(admin, TELLER, roles=["bank-manager"])
        for email in OFFICERS:
            app.access.create_user(admin, email, roles=["bank-manager"])
        app.access.create_user(admin, ACCOUNTANT, roles=["accountant"])
        app.governance.create_committee(admin, CREDIT_COMMITTEE, list(OFFICERS))
        app.governance.create_committee(admin, WITHDRAWALS_COMMITTEE, list(OFFICERS[:2]))
        app.governance.require_committee(admin, ProcessType.CREDIT_FACILITY_PROPOSAL, CREDIT_COMMITTEE, 2)
        app.governance.require_committee(admin, ProcessType.DISBURSAL, CREDIT_COMMITTEE, 1)
        app.governance.require_committee(admin, ProcessType.WITHDRAW, WITHDRAWALS_COMMITTEE, 1)
        app.settings.set(admin, "customer.require-verification", True)
        for name, terms in PRODUCTS.items():
            app.credit.create_terms_template(admin, name, terms)
        for provider in app.prices.providers(admin):
            if provider.active:
                app.prices.deactivate_provider(admin, provider.name)
        app.prices.register_provider(admin, PRICE_PROVIDER, "simulated", self.market, active=True)
        app.custody.create_custodian(admin, CUSTODIAN, "simulated")
        books = self._actor(ACCOUNTANT)
        if not any(y.year == spec.start_date.year for y in app.accounting.fiscal_years(books)):
            app.accounting.open_fiscal_year(books, spec.start_date.year)
        for month in range(1, spec.start_date.month):
            app.accounting.close_month(books, spec.start_date.year, month)  # nothing happened in them here
        self._manual(books, "sim:capital", "Capital paid in by the founders", "11.02", "31.01", 250_000_000_00,
                     spec.start_date)
        with app.db.unit_of_work() as uow:
            uow.conn.execute(
                "INSERT INTO simulation.runs (id, seed, customers, start_date, simulated_through, created_at, "
                "updated_at) VALUES (1, %s, %s, %s, NULL, %s, %s)",
                (spec.seed, spec.customers, spec.start_date, self.clock.now(), self.clock.now()))
            uow.commit()

    # --- one day --------------------------------------------------------------------------

    def _day(self, day: date) -> None:
        self.ids.reseed(f"lana-sim:{self.spec.seed}:day:{day.isoformat()}")
        self._morning(day)
        with self.app.db.unit_of_work() as uow:
            uow.conn.execute("UPDATE simulation.runs SET day_in_progress = %s WHERE id = 1", (day,))
            uow.commit()
        price_fetch(self.app)
        self._books(day)
        offset = (day - self.spec.start_date).days
        for profile in self.profiles:
            self._customer_day(profile, day, offset)
        self._credit_day(day)
        self._tick()
        self.clock.set(datetime.combine(day + timedelta(days=1), time(0, 5), tzinfo=timezone.utc))
        report = end_of_day(self.app, day, fetch_price=False)
        if report.failures:
            raise LanaError(f"the end of day {day} failed: {'; '.join(report.failures)}")
        with self.app.db.unit_of_work() as uow:
            uow.conn.execute("UPDATE simulation.runs SET simulated_through = %s, day_in_progress = NULL, "
                             "updated_at = %s WHERE id = 1", (day, self.clock.now()))
            uow.commit()

    def _morning(self, day: date, at: time = time(7, 0)) -> None:
        self._day_start = datetime.combine(day, at, tzinfo=timezone.utc)
        self._second = 0
        self.clock.set(self._day_start)

    def _tick(self) -> None:
        """The next operation happens a second after the previous one."""
        self._second += 1
        self.clock.set(self._day_start + timedelta(seconds=self._second))

    def _actor(self, email: str) -> Actor:
        """The staff member, looked up once per run."""
        if email not in self._actors:
            self._actors[email] = self.app.actor(email)
        return self._actors[email]

    def _market_price(self) -> int:
        """Today's bitcoin price on the market (what borrowers and the desk see; the bank
        publishes the same through its price provider)."""
        return simulated.price_at(self.market, self.clock.now())

    def _rng(self, *key: object) -> random.Random:
        return random.Random(":".join(["lana-sim", str(self.spec.seed), *map(str, key)]))

    # --- the books ------------------------------------------------------------------------

    def _books(self, day: date) -> None:
        app, books = self.app, self._actor(ACCOUNTANT)
        years = {y.year: y for y in app.accounting.fiscal_years(books)} if day.day <= 3 else {}
        if day.month == 1 and day.day == 1 and day.year not in years:
            self._tick()
            app.accounting.open_fiscal_year(books, day.year)
        if day.month == 1 and day.day == 2 and day.year - 1 in years and not years[day.year - 1].closed:
            self._tick()
            app.accounting.close_year(books, day.year - 1)
        if day.day == 3 and day.month != 1:
            previous = day.month - 1
            year = years.get(day.year)
            if year is not None and year.next_month_to_close() == previous:
                self._tick()
                app.accounting.close_month(books, day.year, previous)
        if day.day == 1:
            month = f"{day:%Y-%m}"
            rng = self._rng("books", month)
            self._manual(books, f"sim:{month}:payroll", f"Payroll {month}", "61.01", "11.02",
                         rng.randint(180_000, 220_000) * 100, day)
            self._manual(books, f"sim:{month}:rent", f"Office rent {month}", "62.01", "11.02", 24_000_00, day)
            self._manual(books, f"sim:{month}:software", f"Core banking licences {month}", "62.02", "22.01",
                         self._software_invoice(month), day)
        if day.day == 15:  # the invoice booked on the 1st is paid
            month = f"{day:%Y-%m}"
            self._manual(books, f"sim:{month}:software-paid", f"Core banking licences {month} paid", "22.01",
                         "11.02", self._software_invoice(month), day)

    def _software_invoice(self, month: str) -> int:
        return self._rng("software", month).randint(8_000, 12_000) * 100

    def _manual(self, actor, reference: str, description: str, debit: str, credit: str, amount: int,  # type: ignore[no-untyped-def]
                day: date) -> None:
        self._tick()
        self.app.accounting.post_manual_transaction(actor, description, [
            ManualLine(debit, Direction.DEBIT, amount, Currency.USD),
            ManualLine(credit, Direction.CREDIT, amount, Currency.USD),
        ], effective_date=day, reference=reference)

    # --- customers ------------------------------------------------------------------------

    def _customer_day(self, p: Profile, day: date, offset: int) -> None:
        if offset == p.join_day:
            self._onboard(p, day)
            return
        account = self.account_ids.get(p.index)
        if account is None or offset < p.join_day:
            return
        if p.leave_day is not None and offset >= p.leave_day:
            if offset == p.leave_day:
                self._leave(p, account)
            return
        if p.freeze_day is not None and offset == p.freeze_day:
            self._tick()
            self.app.customers.freeze(self._actor(OFFICERS[2]), self.customer_ids[p.index], "compliance review")
        if p.freeze_day is not None and offset == p.freeze_day + 10:
            self._tick()
            self.app.customers.unfreeze(self._actor(OFFICERS[2]), self.customer_ids[p.index])
        if p.freeze_day is not None and p.freeze_day <= offset < p.freeze_day + 10:
            return  # frozen: nothing moves
        if day.day == p.pay_day:
            self._income(p, account, day)
        if day.day == (p.pay_day + 13) % 28 + 1:
            self._spend(p, account, day)
        if p.borrower is not None and offset == p.borrow_day:
            self._borrow(p, day)

    def _onboard(self, p: Profile, day: date) -> None:
        app, teller = self.app, self._actor(TELLER)
        self._tick()
        customer = app.customers.create(teller, p.email, p.customer_type, p.info)
        self.customer_ids[p.index] = customer.id
        applicant = f"sim-{p.index:05d}"
        level = "basic-kyc-level" if p.customer_type.is_person else "kyb-basic"
        review = ({"reviewAnswer": "GREEN"} if p.passes_kyc
                  else {"reviewAnswer": "RED", "rejectLabels": ["DOCUMENT_DAMAGED", "SELFIE_MISMATCH"]})
        for body in ({"type": "applicantCreated", "applicantId": applicant, "externalUserId": str(customer.id)},
                     {"type": "applicantReviewed", "applicantId": applicant, "externalUserId": str(customer.id),
                      "levelName": level, "reviewResult": review}):
            raw = _json(body)
            self._tick()
            app.customers.handle_kyc_webhook(raw, sign(app.config.kyc_webhook_secret or "", raw))
        if not p.passes_kyc:
            return
        self._tick()
        account = app.deposits.open_account(teller, customer.id)
        self.account_ids[p.index] = account.id
        self._tick()
        app.deposits.record_deposit(teller, account.id, p.income * 2, reference=f"OPENING-{p.index:05d}")

    def _income(self, p: Profile, account: UUID, day: date) -> None:
        rng = self._rng("income", p.index, f"{day:%Y-%m}")
        amount = p.income * rng.randint(90, 110) // 100
        teller = self._actor(TELLER)
        self._tick()
        self.app.deposits.record_deposit(teller, account, amount, reference=f"WIRE-{p.index:05d}-{day:%Y%m}")
        if rng.random() < 0.03:  # the wire came twice: the duplicate is reverted
            self._tick()
            duplicate = self.app.deposits.record_deposit(teller, account, amount,
                                                         reference=f"WIRE-{p.index:05d}-{day:%Y%m}-DUP")
            self._tick()
            self.app.deposits.revert_deposit(teller, duplicate.id)

    def _spend(self, p: Profile, account: UUID, day: date) -> None:
        app, teller = self.app, self._actor(TELLER)
        rng = self._rng("spend", p.index, f"{day:%Y-%m}")
        self._tick()
        available = app.deposits.balance(teller, account).settled
        amount = available * p.spend_percent // 100
        if amount <= 0:
            return
        self._tick()
        withdrawal = app.deposits.initiate_withdrawal(teller, account, amount)
        outcome = rng.random()
        self._tick()
        if outcome < 0.08:  # the customer changed their mind
            app.deposits.cancel_withdrawal(teller, withdrawal.id)
        elif outcome < 0.13:  # the committee found it suspicious
            app.governance.deny(self._actor(OFFICERS[1]), withdrawal.approval_process_id, "unusual pattern")
        else:
            app.governance.approve(self._actor(OFFICERS[0]), withdrawal.approval_process_id)
            self._tick()
            app.deposits.confirm_withdrawal(teller, withdrawal.id)

    def _leave(self, p: Profile, account: UUID) -> None:
        """The customer takes everything out and closes the relationship."""
        app, teller = self.app, self._actor(TELLER)
        self._tick()
        balance = app.deposits.balance(teller, account)
        if balance.frozen or app.deposits.account(teller, account).status != "active":
            return
        if balance.settled:
            self._tick()
            withdrawal = app.deposits.initiate_withdrawal(teller, account, balance.settled)
            self._tick()
            app.governance.approve(self._actor(OFFICERS[0]), withdrawal.approval_process_id)
            self._tick()
            app.deposits.confirm_withdrawal(teller, withdrawal.id)
        self._tick()
        app.deposits.close_account(teller, account)
        self._tick()
        app.customers.close(teller, self.customer_ids[p.index])

    # --- credit -----------------------------------------------------------------------------

    def _borrow(self, p: Profile, day: date) -> None:
        app, officer = self.app, self._actor(OFFICERS[0])
        customer_id = self.customer_ids[p.index]
        rng = self._rng("borrow", p.index)
        custodian = self._custodian() if p.custodial else None
        self._tick()
        facility = app.credit.propose(officer, customer_id, p.amount, template=p.product, custodian_id=custodian)
        self._tick()
        if rng.random() < 0.05:
            app.credit.record_customer_decision(officer, facility.id, accepted=False)
            return
        facility = app.credit.record_customer_decision(officer, facility.id, accepted=True)
        self._tick()
        if rng.random() < 0.05:
            app.governance.deny(self._actor(OFFICERS[1]), facility.approval_process_id, "concentration limit")
            return
        app.governance.approve(self._actor(OFFICERS[1]), facility.approval_process_id)
        self._tick()
        app.governance.approve(self._actor(OFFICERS[2]), facility.approval_process_id)
        # The borrower sends part of the collateral today and the rest tomorrow.
        self._post_collateral(app.credit.facility(officer, facility.id), p, share=60)

    def _custodian(self) -> UUID:
        if self._custodian_id is None:
            self._custodian_id = next(c.id for c in self.app.custody.custodians(self._actor(SUPERUSER))
                                      if c.name == CUSTODIAN)
        return self._custodian_id

    def _post_collateral(self, facility: CreditFacility, p: Profile, share: int = 100,
                         target: int | None = None) -> None:
        """Bring the collateral to ``share`` % of what ``target`` % (default: the profile's
        target CVL) of the facility amount is worth at today's price."""
        wanted = cents_to_sats(scale(facility.amount, Decimal(target or p.target_cvl)), self._market_price())
        sats = wanted * share // 100
        if sats <= facility.collateral_sats:
            return
        self._tick()
        if facility.wallet_id is not None:
            self.app.custody.set_balance(facility.wallet_id, sats)
        else:
            self.app.credit.update_collateral(self._actor(OFFICERS[0]), facility.id, sats)

    def _credit_day(self, day: date) -> None:
        app, officer = self.app, self._actor(OFFICERS[0])
        with app.db.unit_of_work() as uow:
            facilities = uow.events.find_all(CreditFacility, "state->>'status' IN "
                                             "('pending_collateralization', 'active', 'matured')")
            obligations = uow.events.find_all(Obligation, "state->>'status' NOT IN ('paid', 'not_yet_due')",
                                              order="created_at, stream_id")
            liquidations = uow.events.find_all(Liquidation, "state->>'status' <> %s",
                                               (LiquidationStatus.COMPLETED.value,))
        customers = {cid: i for i, cid in self.customer_ids.items()}
        by_id = {f.id: f for f in facilities}
        for liquidation in liquidations:
            self._liquidation_desk(liquidation, by_id.get(liquidation.facility_id))
        for facility in facilities:
            index = customers.get(facility.customer_id)
            if index is None:
                continue  # not one of the simulation's customers
            p = self.profiles[index]
            if facility.status is FacilityStatus.PENDING_COLLATERALIZATION:
                self._post_collateral(facility, p)
            elif facility.state == Collateralization.UNDER_MARGIN_CALL and p.tops_up:
                self._post_collateral(facility, p, target=facility.terms.initial_cvl + 20)
            if facility.status is FacilityStatus.ACTIVE and facility.terms.disbursal_policy is DisbursalPolicy.MULTIPLE:
                self._draw(facility, day)
        payable: dict[UUID, int] = {}
        for o in obligations:
            facility = by_id.get(o.facility_id)
            index = customers.get(facility.customer_id) if facility else None
            if index is None:
                continue
            amount = self._payable(self.profiles[index], o, day)
            if amount:
                payable[o.facility_id] = payable.get(o.facility_id, 0) + amount
        for facility_id, amount in payable.items():
            self._pay(by_id[facility_id], amount)
        for facility in facilities:
            if facility.status is FacilityStatus.MATURED and facility.id not in payable:
                balances = app.credit.balances(officer, facility.id)
                if balances.total_outstanding == 0 and sum(balances.interest.values()) == 0 \
                        and sum(balances.principal.values()) == 0 and facility.liquidation_id is None:
                    self._tick()
                    app.credit.complete(officer, facility.id)

    def _payable(self, p: Profile, o: Obligation, day: date) -> int:
        """What the borrower pays today towards this obligation (0: nothing)."""
        late = (day - o.due_date).days
        if p.borrower == ON_TIME:
            return o.outstanding
        if p.borrower == LATE:
            return o.outstanding if late >= p.late_days else 0
        if p.borrower == PARTIAL:
            if o.outstanding == o.amount and late >= 1:
                return max(1, o.outstanding // 2)
            return o.outstanding if late >= p.late_days else 0
        assert p.borrower == NEVER
        return 0

    def _pay(self, facility: CreditFacility, amount: int) -> None:
        app, teller = self.app, self._actor(TELLER)
        account = facility.deposit_account_id
        self._tick()
        balance = app.deposits.balance(teller, account)
        if balance.frozen:
            return  # the account is frozen: the payment waits
        if balance.settled < amount:  # the borrower wires what is missing first
            self._tick()
            app.deposits.record_deposit(teller, account, amount - balance.settled,
                                        reference=f"REPAY-{facility.id.hex[-8:].upper()}")
        self._tick()
        app.credit.record_payment(teller, facility.id, amount)

    def _draw(self, facility: CreditFacility, day: date) -> None:
        """Multiple-disbursal facilities: 60 % two days after activation, 25 % a month later."""
        assert facility.activation_date is not None
        since = (day - facility.activation_date).days
        share = {2: 60, 32: 25}.get(since)
        if share is None or facility.state != Collateralization.FULLY_COLLATERALIZED:
            return
        app = self.app
        self._tick()
        try:
            disbursal = app.credit.initiate_disbursal(self._actor(OFFICERS[0]), facility.id, facility.amount * share // 100)
        except LanaError:
            return  # refused (e.g. the CVL would fall under the margin call): the borrower does without
        self._tick()
        app.governance.approve(self._actor(OFFICERS[2]), disbursal.approval_process_id)

    def _liquidation_desk(self, liquidation: Liquidation, facility: CreditFacility | None) -> None:
        """The desk sends the collateral to be sold the day the liquidation starts and books the
        proceeds the next day, 2 % under the day's price."""
        app, desk = self.app, self._actor(OFFICERS[2])
        if facility is None:
            return
        if liquidation.status is LiquidationStatus.STARTED:
            sats = min(liquidation.sats_to_sell, facility.collateral_sats)
            if sats > 0:
                self._tick()
                app.credit.record_collateral_sent(desk, liquidation.id, sats)
        elif liquidation.status is LiquidationStatus.COLLATERAL_SENT:
            proceeds = liquidation.sats_sent * self._market_price() // 100_000_000 * 98 // 100
            if proceeds > 0:
                self._tick()
                app.credit.record_proceeds(desk, liquidation.id, proceeds)


def _json(data: dict) -> bytes:  # type: ignore[type-arg]
    import json

    return json.dumps(data, sort_keys=True).encode()

"""Operations on credit facilities: proposals, collateral, activation, disbursals, payments,
liquidation and completion. Every step posts its ledger transaction through credit/ledger.py's
templates, in the same database transaction as the entities' events.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from lana_core.access.domain import Actor
from lana_core.credit import calculations as calc
from lana_core.credit import ledger as cl
from lana_core.credit.disbursal import Disbursal, DisbursalStatus
from lana_core.credit.facility import (
    CollateralSource,
    CreditError,
    CreditFacility,
    FacilityStatus,
)
from lana_core.credit.interest import CycleStatus, InterestAccrualCycle
from lana_core.credit.liquidation import Liquidation
from lana_core.credit.obligation import Obligation, ObligationKind, ObligationStatus
from lana_core.credit.payment import Allocation, Payment, PaymentSource
from lana_core.credit.terms import DisbursalPolicy, TermsTemplate, TermValues
from lana_core.db import UnitOfWork
from lana_core.deposit.domain import DepositAccount
from lana_core.errors import InvalidInput, LanaError, NotFound
from lana_core.eventsourcing import Consumer
from lana_core.governance.domain import ProcessType
from lana_core.ledger import Layer, PostingRequest
from lana_core.money import Currency, whole_units

if TYPE_CHECKING:
    from lana_core.app import Lana

USD = Currency.USD
OUTSTANDING_ROLES = ("DISBURSED_NOT_YET_DUE", "DISBURSED_DUE", "DISBURSED_OVERDUE",
                     "INTEREST_NOT_YET_DUE", "INTEREST_DUE", "INTEREST_OVERDUE")


@dataclass(frozen=True)
class FacilityBalances:
    """A facility's figures in cents, as the ledger holds them.

    principal / interest: outstanding by obligation status (not_yet_due, due, overdue,
    defaulted); accrued_interest: accrued in the running cycle, not billed yet; undrawn: what
    can still be disbursed; uncovered: disbursed (or awaiting approval) and billed, not paid;
    collateral_sats: bitcoin held; cvl: now, at price_cents_per_btc (filled by ``balances``;
    against the facility amount before activation); total_outstanding: principal and interest not yet due,
    due and overdue (defaulted excluded), the CVL's denominator.
    """

    principal: dict[str, int]
    interest: dict[str, int]
    accrued_interest: int
    undrawn: int
    uncovered: int
    collateral_sats: int
    cvl: Decimal | None = None                # at the current price (None: no price yet)
    price_cents_per_btc: int | None = None    # the price that CVL was taken at

    @property
    def total_outstanding(self) -> int:
        return sum(v for k, v in (*self.principal.items(), *self.interest.items()) if k != "defaulted")


class CreditService:
    def __init__(self, app: Lana) -> None:
        self.app = app

    def consumers(self) -> list[Consumer]:
        from lana_core.credit.consumers import (
            ApprovalConsumer,
            PriceConsumer,
            WalletConsumer,
        )

        return [ApprovalConsumer(self), WalletConsumer(self), PriceConsumer(self)]

    # --- terms templates ----------------------------------------------------------------

    def create_terms_template(self, actor: Actor, name: str, values: TermValues) -> TermsTemplate:
        with self.app.operation(actor, "credit/terms-template/*", "credit:terms-template:create") as uow:
            template = TermsTemplate.create(self.app.db.ids(), name, values)
            uow.events.save(template)
            return template

    def update_terms_template(self, actor: Actor, name: str, values: TermValues) -> TermsTemplate:
        with self.app.operation(actor, f"credit/terms-template/{name}", "credit:terms-template:update") as uow:
            template = self._template(uow, name)
            template.update(values)
            uow.events.save(template)
            return template

    def terms_templates(self, actor: Actor) -> list[TermsTemplate]:
        with self.app.operation(actor, "credit/terms-template/*", "credit:terms-template:list") as uow:
            return uow.events.find_all(TermsTemplate, order="state->>'name'")

    def _template(self, uow: UnitOfWork, name: str) -> TermsTemplate:
        template = uow.events.find_one(TermsTemplate, "lower(state->>'name') = lower(%s)", (name,))
        if template is None:
            raise NotFound(f"there is no terms template {name!r}")
        return template

    # --- proposals ----------------------------------------------------------------------

    def propose(self, actor: Actor, customer_id: UUID, amount: int, *, terms: TermValues | None = None,
                template: str | None = None, deposit_account_id: UUID | None = None,
                custodian_id: UUID | None = None) -> CreditFacility:
        """Propose a facility to a customer (terms given, or from a template). Disbursals go to
        ``deposit_account_id`` (default: the customer's active account)."""
        with self.app.operation(actor, "credit/credit-facility/*", "credit:credit-facility:create") as uow:
            if (terms is None) == (template is None):
                raise InvalidInput("give the terms or a terms template (one of them)")
            values = terms if terms is not None else self._template(uow, template).values
            customer = self.app.customers.eligible_for_product(uow, customer_id)
            account = self._deposit_account(uow, customer.id, deposit_account_id)
            if custodian_id is not None:
                self.app.custody.custodian(uow, custodian_id)
            facility = CreditFacility.propose(self.app.db.ids(), customer.id, customer.customer_type, account.id,
                                              amount, values, custodian_id)
            uow.events.save(facility)
            return facility

    def record_customer_decision(self, actor: Actor, facility_id: UUID, *, accepted: bool) -> CreditFacility:
        """The customer accepted the proposal (it goes to governance) or declined it."""
        with self.app.operation(actor, f"credit/credit-facility/{facility_id}",
                                "credit:credit-facility:customer-approve") as uow:
            facility = uow.events.load(CreditFacility, facility_id)
            if accepted:
                self.app.customers.eligible_for_product(uow, facility.customer_id)
                process = self.app.governance.start_process(uow, ProcessType.CREDIT_FACILITY_PROPOSAL, facility.id)
                facility.customer_accepts(process.id)
            else:
                facility.customer_declines()
            uow.events.save(facility)
            return facility

    def conclude_proposal(self, uow: UnitOfWork, facility_id: UUID, approved: bool, reason: str | None) -> None:
        """Governance decided on a proposal (a consumer calls this)."""
        facility = uow.events.find(CreditFacility, facility_id)
        if facility is None or facility.status is not FacilityStatus.PENDING_APPROVAL:
            return
        if not approved:
            facility.deny(reason or "denied")
            uow.events.save(facility)
            return
        customer_name = self.app.customers.eligible_for_product(uow, facility.customer_id).name
        cl.open_facility_accounts(uow.ledger, facility.id, facility.customer_type, facility.terms.long_term,
                                  customer_name)
        tx = uow.ledger.post(cl.CREATE_FACILITY, {
            "omnibus": cl.FACILITY_OMNIBUS, "facility": cl.account(facility.id, "FACILITY"),
            "amount": facility.amount, "reference": str(facility.id),
        }, idempotency_key=f"credit:{facility.id}:create")
        wallet_id = None
        if facility.custodian_id is not None:
            wallet = self.app.custody.create_wallet(uow, facility.custodian_id, facility.id,
                                                    f"CF {facility.id}")
            wallet_id = wallet.id
        facility.approve(tx.id, wallet_id)
        uow.events.save(facility)
        self.evaluate(uow, facility)

    # --- collateral and its value -------------------------------------------------------

    def update_collateral(self, actor: Actor, facility_id: UUID, sats: int) -> CreditFacility:
        """Record the collateral held, by hand (facilities without a custodian)."""
        with self.app.operation(actor, f"credit/credit-facility/{facility_id}",
                                "credit:credit-facility:update-collateral") as uow:
            whole_units(sats, "the collateral (sats)", minimum=0)
            facility = uow.events.load(CreditFacility, facility_id)
            if facility.wallet_id is not None:
                raise CreditError("the collateral of this facility is reported by its custodian")
            if sats < facility.collateral_sats and facility.status in (FacilityStatus.ACTIVE, FacilityStatus.MATURED):
                self._check_release(uow, facility, sats)
            self.set_collateral(uow, facility, sats, CollateralSource.MANUAL)
            return facility

    def _check_release(self, uow: UnitOfWork, facility: CreditFacility, sats: int) -> None:
        """Taking collateral back may not push the CVL under the margin call."""
        outstanding = self.balances_in(uow, facility).total_outstanding
        price = self.price(uow)
        if outstanding and calc.cvl(sats, outstanding, price) < facility.terms.margin_call_cvl:
            raise CreditError(
                f"with {sats} sats the CVL would be {calc.percent(calc.cvl(sats, outstanding, price))}, under the "
                f"margin call of {facility.terms.margin_call_cvl} %"
            )

    def set_collateral(self, uow: UnitOfWork, facility: CreditFacility, sats: int, source: CollateralSource) -> None:
        """Post the change of collateral (BTC) and re-evaluate the facility."""
        version, tx_id = facility.version, self.app.db.ids()
        change = facility.update_collateral(sats, source, tx_id)  # checks the facility can hold it
        if change == 0:
            return
        template = cl.ADD_COLLATERAL if change > 0 else cl.REMOVE_COLLATERAL
        uow.ledger.post(template, {
            "omnibus": cl.COLLATERAL_OMNIBUS, "collateral": cl.account(facility.id, "COLLATERAL"),
            "amount": abs(change), "reference": f"{facility.id} ({source})",
        }, transaction_id=tx_id, idempotency_key=f"credit:{facility.id}:collateral:{version}")
        uow.events.save(facility)
        self.evaluate(uow, facility)

    def price(self, uow: UnitOfWork) -> int:
        current = self.app.prices.current(uow)
        if current is None:
            raise LanaError("no bitcoin price has been published yet (`lana price fetch`)")
        return current[0]

    def evaluate(self, uow: UnitOfWork, facility: CreditFacility, price: int | None = None,
                 outstanding: int | None = None) -> None:
        """Recompute the CVL at the price (default: the current one); record a new state; a
        pending facility fully collateralized activates; an active one under its liquidation
        threshold starts a liquidation. ``outstanding``: the facility's total outstanding, when
        the caller already read it (default: read from the ledger)."""
        if facility.status not in (FacilityStatus.PENDING_COLLATERALIZATION, FacilityStatus.ACTIVE,
                                   FacilityStatus.MATURED):
            return
        if price is None:
            current = self.app.prices.current(uow)
            if current is None:
                return  # nothing to value the collateral at yet
            price = current[0]
        if facility.status is FacilityStatus.PENDING_COLLATERALIZATION:
            outstanding = facility.amount
        elif outstanding is None:
            outstanding = self.balances_in(uow, facility).total_outstanding
        if facility.evaluate(calc.cvl(facility.collateral_sats, outstanding, price), price, outstanding):
            uow.events.save(facility)
        if facility.ready_to_activate:
            self._activate(uow, facility, price)
        elif facility.under_liquidation_threshold and outstanding > 0 and facility.liquidation_id is None:
            self._start_liquidation(uow, facility, price, outstanding)

    def evaluate_all(self, uow: UnitOfWork, facilities: list[CreditFacility], price: int) -> None:
        """``evaluate`` many facilities at one price, reading their balances in one query."""
        balances = self.balances_of_many(uow, [f for f in facilities if f.status is not
                                               FacilityStatus.PENDING_COLLATERALIZATION])
        for facility in facilities:
            found = balances.get(facility.id)
            self.evaluate(uow, facility, price, found.total_outstanding if found else None)

    # --- activation ---------------------------------------------------------------------

    def _activate(self, uow: UnitOfWork, facility: CreditFacility, price: int) -> None:
        terms, fid = facility.terms, facility.id
        fee = calc.one_time_fee(facility.amount, terms.one_time_fee_rate)
        single = terms.disbursal_policy is DisbursalPolicy.SINGLE
        # A single disbursal pays the whole amount out; with multiple ones, only the fee is
        # drawn at once (and charged straight back), so the fee is financed like principal.
        initial = facility.amount if single else fee
        receivable = cl.receivable(fid, ObligationKind.DISBURSAL, ObligationStatus.NOT_YET_DUE)
        deposit = facility.deposit_account_id
        requests = [PostingRequest(template=cl.ACTIVATE_FACILITY, idempotency_key=f"credit:{fid}:activate", params={
            "omnibus": cl.FACILITY_OMNIBUS, "facility": cl.account(fid, "FACILITY"),
            "amount": facility.amount, "reference": str(fid)})]
        if initial:
            requests.append(PostingRequest(template=cl.INITIAL_DISBURSAL, idempotency_key=f"credit:{fid}:initial",
                                           params={"facility": cl.account(fid, "FACILITY"),
                                                   "uncovered": cl.account(fid, "UNCOVERED"),
                                                   "receivable": receivable, "deposit": deposit,
                                                   "amount": initial, "reference": str(fid)}))
        if fee:
            requests.append(PostingRequest(template=cl.ADD_STRUCTURING_FEE, idempotency_key=f"credit:{fid}:fee",
                                           params={"deposit": deposit, "fee_income": cl.FEE_INCOME,
                                                   "amount": fee, "reference": str(fid)}))
        posted = uow.ledger.post_many(requests)
        now = self.app.clock.now()
        facility.activate(now, fee, tuple(p.id for p in posted))
        uow.events.save(facility)
        if initial:
            disbursal = Disbursal.initiate(self.app.db.ids(), fid, initial, None, None)
            obligation = self._new_obligation(uow, facility, ObligationKind.DISBURSAL, initial, "initial disbursal",
                                              facility.activation_date, facility.maturity_date)
            disbursal.confirm(obligation.id, facility.activation_date, posted[1].id)
            uow.events.save(disbursal)
        start = facility.activation_date
        cycle = InterestAccrualCycle.start_cycle(
            self.app.db.ids(), fid, 1, start, calc.cycle_end(start, terms.accrual_cycle_interval, facility.maturity_date))
        uow.events.save(cycle)
        self.evaluate(uow, facility, price)

    def _new_obligation(self, uow: UnitOfWork, facility: CreditFacility, kind: ObligationKind, amount: int,
                        reference: str, effective: date, due: date) -> Obligation:
        obligation = Obligation.create(self.app.db.ids(), facility.id, kind, amount, reference, effective, due,
                                       facility.terms)
        uow.events.save(obligation)
        return obligation

    # --- disbursals ---------------------------------------------------------------------

    def initiate_disbursal(self, actor: Actor, facility_id: UUID, amount: int) -> Disbursal:
        """Draw from an active facility (multiple-disbursal policy). The amount is reserved at
        once; governance decides; the payout then comes through the outbox."""
        with self.app.operation(actor, f"credit/disbursal/{facility_id}", "credit:disbursal:initiate") as uow:
            facility = uow.events.load(CreditFacility, facility_id)
            facility.check_disbursal(self.app.clock.today())
            self.app.customers.eligible_for_product(uow, facility.customer_id)
            whole_units(amount, "a disbursal (cents)")
            price = self.price(uow)
            after = self.balances_in(uow, facility).total_outstanding + amount
            value = calc.cvl(facility.collateral_sats, after, price)
            if value < facility.terms.margin_call_cvl:
                raise CreditError(
                    f"after this disbursal the CVL would be {calc.percent(value)}, under the margin call of "
                    f"{facility.terms.margin_call_cvl} %: add collateral first"
                )
            disbursal_id, tx_id = self.app.db.ids(), self.app.db.ids()
            undrawn = uow.ledger.balance(cl.account(facility.id, "FACILITY"), USD).amount()
            if amount > undrawn:
                raise CreditError(f"only {undrawn} cents of the facility are left to draw")
            uow.ledger.post(cl.INITIATE_DISBURSAL, {
                "facility": cl.account(facility.id, "FACILITY"), "uncovered": cl.account(facility.id, "UNCOVERED"),
                "amount": amount, "reference": str(disbursal_id),
            }, transaction_id=tx_id, idempotency_key=f"credit:disbursal:{disbursal_id}:initiate")
            process = self.app.governance.start_process(uow, ProcessType.DISBURSAL, disbursal_id)
            disbursal = Disbursal.initiate(disbursal_id, facility.id, amount, process.id, tx_id)
            uow.events.save(disbursal)
            return disbursal

    def conclude_disbursal(self, uow: UnitOfWork, disbursal_id: UUID, approved: bool, reason: str | None) -> None:
        disbursal = uow.events.find(Disbursal, disbursal_id)
        if disbursal is None or disbursal.status is not DisbursalStatus.PENDING_APPROVAL:
            return
        facility = uow.events.load(CreditFacility, disbursal.facility_id)
        fid, amount, tx_id = facility.id, disbursal.amount, self.app.db.ids()
        common = {"facility": cl.account(fid, "FACILITY"), "uncovered": cl.account(fid, "UNCOVERED"),
                  "amount": amount, "reference": str(disbursal.id)}
        if approved:
            today = self.app.clock.today()
            obligation = self._new_obligation(uow, facility, ObligationKind.DISBURSAL, amount,
                                              f"disbursal {disbursal.id}", today, facility.maturity_date)
            uow.ledger.post(cl.CONFIRM_DISBURSAL, {
                **common, "receivable": cl.receivable(fid, ObligationKind.DISBURSAL, ObligationStatus.NOT_YET_DUE),
                "deposit": facility.deposit_account_id,
            }, transaction_id=tx_id, idempotency_key=f"credit:disbursal:{disbursal.id}:confirm")
            disbursal.confirm(obligation.id, today, tx_id)
        else:
            uow.ledger.post(cl.CANCEL_DISBURSAL, common, transaction_id=tx_id,
                            idempotency_key=f"credit:disbursal:{disbursal.id}:cancel")
            disbursal.cancel(reason or "denied", tx_id)
        uow.events.save(disbursal)
        self.evaluate(uow, facility)

    # --- payments -----------------------------------------------------------------------

    def record_payment(self, actor: Actor, facility_id: UUID, amount: int) -> Payment:
        """The customer pays from their deposit account; the payment is allocated at once."""
        with self.app.operation(actor, f"credit/payment/{facility_id}", "credit:payment:create") as uow:
            facility = uow.events.load(CreditFacility, facility_id)
            if facility.status not in (FacilityStatus.ACTIVE, FacilityStatus.MATURED):
                raise CreditError(f"payments are taken on active or matured facilities (it is {facility.status})")
            account = uow.events.load(DepositAccount, facility.deposit_account_id)
            account.check_active()
            payment = self.pay(uow, facility, amount, PaymentSource.DEPOSIT_ACCOUNT, account.id)
            self.evaluate(uow, facility)
            return payment

    def pay(self, uow: UnitOfWork, facility: CreditFacility, amount: int, source: PaymentSource,
            source_account: UUID | str) -> Payment:
        """Take ``amount`` from ``source_account`` (an id or a code) and allocate it."""
        whole_units(amount, "a payment (cents)")
        fid, payment_id, today = facility.id, self.app.db.ids(), self.app.clock.today()
        obligations = self._open_obligations(uow, fid)
        # What is owed now: billed and disbursed, not paid. (UNCOVERED also holds disbursals
        # awaiting approval, which nobody owes yet.)
        owed = sum(o.outstanding for o in obligations)
        if amount > owed:
            raise CreditError(f"the payment ({amount} cents) exceeds what is owed now ({owed} cents)")
        slices = calc.allocate(amount, [
            calc.Owed(o.id, o.kind.value, o.effective, i, o.outstanding) for i, o in enumerate(obligations)
        ])
        by_id = {o.id: o for o in obligations}
        tx_id = self.app.db.ids()
        requests = [PostingRequest(template=cl.RECORD_PAYMENT, transaction_id=tx_id,
                                   idempotency_key=f"credit:payment:{payment_id}", params={
                                       "source": source_account, "holding": cl.account(fid, "PAYMENT_HOLDING"),
                                       "uncovered": cl.account(fid, "UNCOVERED"), "payments": cl.PAYMENTS_OMNIBUS,
                                       "amount": amount, "reference": str(payment_id)})]
        allocations = []
        for obligation_id, share in slices:
            obligation = by_id[obligation_id]
            allocation_tx = self.app.db.ids()
            requests.append(PostingRequest(
                template=cl.ALLOCATE_PAYMENT, transaction_id=allocation_tx,
                idempotency_key=f"credit:payment:{payment_id}:{obligation_id}",
                params={"holding": cl.account(fid, "PAYMENT_HOLDING"),
                        "receivable": cl.receivable(fid, obligation.kind, obligation.receivable_status),
                        "amount": share, "reference": obligation.reference},
            ))
            allocations.append(Allocation(obligation_id, obligation.kind.value, share, allocation_tx))
        uow.ledger.post_many(requests)
        payment = Payment.record(payment_id, fid, amount, source, today, tx_id)
        payment.allocate(allocations)
        for allocation in allocations:
            by_id[allocation.obligation_id].apply_payment(payment_id, allocation.amount,
                                                         allocation.ledger_transaction_id, today)
        uow.events.save(payment, *[by_id[a.obligation_id] for a in allocations])
        return payment

    def _open_obligations(self, uow: UnitOfWork, facility_id: UUID) -> list[Obligation]:
        return uow.events.find_all(Obligation, "state->>'facility_id' = %s AND state->>'status' <> 'paid'",
                                   (str(facility_id),), order="created_at, stream_id")

    # --- liquidation --------------------------------------------------------------------

    def _start_liquidation(self, uow: UnitOfWork, facility: CreditFacility, price: int, outstanding: int) -> None:
        amounts = calc.liquidation_amounts(outstanding, facility.collateral_sats, price, facility.terms.initial_cvl)
        liquidation = Liquidation.initiate(self.app.db.ids(), facility.id, price, facility.cvl or Decimal(0),
                                           outstanding, amounts.repay_cents,
                                           min(amounts.sats, facility.collateral_sats))
        facility.start_liquidation(liquidation.id)
        uow.events.save(liquidation, facility)

    def record_collateral_sent(self, actor: Actor, liquidation_id: UUID, sats: int) -> Liquidation:
        """Collateral was sent to be sold."""
        with self.app.operation(actor, f"credit/liquidation/{liquidation_id}",
                                "credit:liquidation:record-collateral-sent") as uow:
            liquidation = uow.events.load(Liquidation, liquidation_id)
            facility = uow.events.load(CreditFacility, liquidation.facility_id)
            if sats > facility.collateral_sats:
                raise CreditError(f"the facility holds {facility.collateral_sats} sats, not {sats}")
            tx = uow.ledger.post(cl.SEND_TO_LIQUIDATION, {
                "collateral": cl.account(facility.id, "COLLATERAL"),
                "in_liquidation": cl.account(facility.id, "COLLATERAL_IN_LIQUIDATION"),
                "amount": sats, "reference": str(liquidation.id),
            }, idempotency_key=f"credit:liquidation:{liquidation.id}:sent")
            liquidation.collateral_sent(sats, tx.id)
            facility.update_collateral(facility.collateral_sats - sats, CollateralSource.LIQUIDATION, tx.id)
            uow.events.save(liquidation, facility)
            return liquidation

    def record_proceeds(self, actor: Actor, liquidation_id: UUID, amount: int) -> Liquidation:
        """The sale brought ``amount`` cents: they pay the facility down; any surplus goes back
        to the customer's deposit account. The liquidation ends; the CVL is re-evaluated."""
        with self.app.operation(actor, f"credit/liquidation/{liquidation_id}",
                                "credit:liquidation:record-proceeds") as uow:
            liquidation = uow.events.load(Liquidation, liquidation_id)
            facility = uow.events.load(CreditFacility, liquidation.facility_id)
            fid, proceeds_account = facility.id, cl.account(facility.id, "PROCEEDS")
            tx_id = self.app.db.ids()
            liquidation.proceeds_received(amount, None, tx_id)  # checks state and amount first
            uow.ledger.post(cl.RECEIVE_PROCEEDS, {
                "omnibus": cl.PROCEEDS_OMNIBUS, "proceeds": proceeds_account,
                "in_liquidation": cl.account(fid, "COLLATERAL_IN_LIQUIDATION"),
                "liquidated": cl.account(fid, "LIQUIDATED_COLLATERAL"),
                "amount": amount, "sats": liquidation.sats_sent, "reference": str(liquidation.id),
            }, transaction_id=tx_id, idempotency_key=f"credit:liquidation:{liquidation.id}:proceeds")
            owed = sum(o.outstanding for o in self._open_obligations(uow, fid))
            to_debt = min(amount, owed)
            if to_debt:
                self.pay(uow, facility, to_debt, PaymentSource.LIQUIDATION, proceeds_account)
            if amount > to_debt:
                uow.ledger.post(cl.RETURN_EXCESS_PROCEEDS, {
                    "proceeds": proceeds_account, "deposit": facility.deposit_account_id,
                    "amount": amount - to_debt, "reference": str(liquidation.id),
                }, idempotency_key=f"credit:liquidation:{liquidation.id}:surplus")
            facility.end_liquidation()
            uow.events.save(liquidation, facility)
            self.evaluate(uow, facility)
            return liquidation

    # --- completion ---------------------------------------------------------------------

    def complete(self, actor: Actor, facility_id: UUID) -> CreditFacility:
        """Close a facility with nothing left to pay: its collateral is released and its
        undrawn commitment ends."""
        with self.app.operation(actor, f"credit/credit-facility/{facility_id}", "credit:credit-facility:complete") as uow:
            facility = uow.events.load(CreditFacility, facility_id)
            balances = self.balances_in(uow, facility)
            owed = sum(balances.principal.values()) + sum(balances.interest.values())
            if owed:
                raise CreditError(f"{owed} cents are still owed on the facility")
            if balances.accrued_interest:
                raise CreditError(
                    f"{balances.accrued_interest} cents of interest accrued this cycle are billed at its end; "
                    "close the facility once they are paid"
                )
            fid = facility.id
            if balances.undrawn:
                uow.ledger.post(cl.RELEASE_COMMITMENT, {
                    "facility": cl.account(fid, "FACILITY"), "omnibus": cl.FACILITY_OMNIBUS,
                    "amount": balances.undrawn, "reference": str(fid),
                }, idempotency_key=f"credit:{fid}:release-commitment")
            facility.close(self.app.clock.today())
            uow.events.save(facility)
            if facility.collateral_sats:
                self.set_collateral(uow, facility, 0, CollateralSource.RELEASE)
            return facility

    # --- reading ------------------------------------------------------------------------

    def balances_in(self, uow: UnitOfWork, facility: CreditFacility) -> FacilityBalances:
        return self.balances_of_many(uow, [facility])[facility.id]

    def balances_of_many(self, uow: UnitOfWork, facilities: list[CreditFacility]) -> dict[UUID, FacilityBalances]:
        """Each facility's balances, from the ledger, in two queries whatever their number."""
        roles = [*OUTSTANDING_ROLES, "DISBURSED_DEFAULTED", "INTEREST_DEFAULTED", "FACILITY", "UNCOVERED"]
        usd = uow.ledger.balances_of([cl.account(f.id, r) for f in facilities for r in roles], USD)
        btc = uow.ledger.balances_of([cl.account(f.id, "COLLATERAL") for f in facilities], Currency.BTC)
        statuses = ("not_yet_due", "due", "overdue", "defaulted")
        out = {}
        for f in facilities:
            def settled(role: str, fid: UUID = f.id) -> int:
                balance = usd.get(cl.account(fid, role))
                return balance.amount() if balance else 0

            accrued = usd.get(cl.account(f.id, "INTEREST_NOT_YET_DUE"))
            collateral = btc.get(cl.account(f.id, "COLLATERAL"))
            out[f.id] = FacilityBalances(
                principal={s: settled(f"DISBURSED_{cl.RECEIVABLE_ROLE[s]}") for s in statuses},
                interest={s: settled(f"INTEREST_{cl.RECEIVABLE_ROLE[s]}") for s in statuses},
                accrued_interest=accrued.amount(Layer.PENDING) if accrued else 0,
                undrawn=settled("FACILITY"),
                uncovered=settled("UNCOVERED"),
                collateral_sats=collateral.amount() if collateral else 0,
            )
        return out

    def balances(self, actor: Actor, facility_id: UUID) -> FacilityBalances:
        """The facility's balances, with its CVL at the current price."""
        with self.app.operation(actor, f"credit/credit-facility/{facility_id}", "credit:credit-facility:read") as uow:
            facility = uow.events.load(CreditFacility, facility_id)
            balances = self.balances_in(uow, facility)
            current = self.app.prices.current(uow)
            if current is None:
                return balances
            outstanding = (facility.amount if facility.status is FacilityStatus.PENDING_COLLATERALIZATION
                           else balances.total_outstanding)
            return replace(balances, cvl=calc.cvl(balances.collateral_sats, outstanding, current[0]),
                           price_cents_per_btc=current[0])

    def facility(self, actor: Actor, facility_id: UUID) -> CreditFacility:
        with self.app.operation(actor, f"credit/credit-facility/{facility_id}", "credit:credit-facility:read") as uow:
            return uow.events.load(CreditFacility, facility_id)

    def facilities(self, actor: Actor, *, status: FacilityStatus | None = None,
                   customer_id: UUID | None = None) -> list[CreditFacility]:
        with self.app.operation(actor, "credit/credit-facility/*", "credit:credit-facility:list") as uow:
            return uow.events.find_all(
                CreditFacility,
                "(%s::text IS NULL OR state->>'status' = %s) AND (%s::text IS NULL OR state->>'customer_id' = %s)",
                (status, status, customer_id and str(customer_id), customer_id and str(customer_id)),
            )

    def obligations(self, actor: Actor, facility_id: UUID) -> list[Obligation]:
        with self.app.operation(actor, f"credit/obligation/{facility_id}", "credit:obligation:list") as uow:
            return uow.events.find_all(Obligation, "state->>'facility_id' = %s", (str(facility_id),))

    def disbursals(self, actor: Actor, facility_id: UUID) -> list[Disbursal]:
        with self.app.operation(actor, f"credit/disbursal/{facility_id}", "credit:disbursal:list") as uow:
            return uow.events.find_all(Disbursal, "state->>'facility_id' = %s", (str(facility_id),))

    def payments(self, actor: Actor, facility_id: UUID) -> list[Payment]:
        with self.app.operation(actor, f"credit/payment/{facility_id}", "credit:payment:list") as uow:
            return uow.events.find_all(Payment, "state->>'facility_id' = %s", (str(facility_id),))

    def interest_cycles(self, actor: Actor, facility_id: UUID) -> list[InterestAccrualCycle]:
        with self.app.operation(actor, f"credit/credit-facility/{facility_id}", "credit:credit-facility:read") as uow:
            return uow.events.find_all(InterestAccrualCycle, "state->>'facility_id' = %s", (str(facility_id),),
                                       order="(state->>'index')::int")

    def liquidations(self, actor: Actor, facility_id: UUID | None = None) -> list[Liquidation]:
        with self.app.operation(actor, "credit/liquidation/*", "credit:liquidation:list") as uow:
            return uow.events.find_all(Liquidation, "(%s::text IS NULL OR state->>'facility_id' = %s)",
                                       (facility_id and str(facility_id), facility_id and str(facility_id)))

    def _deposit_account(self, uow: UnitOfWork, customer_id: UUID, account_id: UUID | None) -> DepositAccount:
        if account_id is not None:
            account = uow.events.load(DepositAccount, account_id)
            if account.holder_id != customer_id:
                raise CreditError("the deposit account belongs to another customer")
        else:
            accounts = uow.events.find_all(DepositAccount, "state->>'holder_id' = %s AND state->>'status' = 'active'",
                                           (str(customer_id),), limit=1)
            if not accounts:
                raise CreditError("the customer needs an active deposit account to receive disbursals")
            account = accounts[0]
        account.check_active()
        return account

    def running_cycle(self, uow: UnitOfWork, facility_id: UUID) -> InterestAccrualCycle | None:
        return uow.events.find_one(InterestAccrualCycle,
                                   "state->>'facility_id' = %s AND state->>'status' = %s",
                                   (str(facility_id), CycleStatus.ACCRUING.value))


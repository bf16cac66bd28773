"""Accounting operations: the chart, statements, manual transactions and fiscal years."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from lana_core.access.domain import Actor
from lana_core.accounting.chart import Chart, ChartOfAccounts, ImportResult
from lana_core.accounting.domain import AccountingError, FiscalYear, ManualLine, ManualTransaction
from lana_core.accounting.statements import (
    YEAR_END_CLOSING,
    BalanceSheet,
    ProfitAndLoss,
    Statements,
    TrialBalance,
)
from lana_core.db import UnitOfWork
from lana_core.errors import InvalidInput, NotFound
from lana_core.ledger import Balance, Direction, EntryLine, Layer, Transaction
from lana_core.ledger.export import export_entries
from lana_core.ledger.invariants import Violation
from lana_core.ledger.invariants import check_ledger as check_invariants
from lana_core.money import Currency

if TYPE_CHECKING:
    from lana_core.app import Lana

_FISCAL_YEARS = uuid.UUID("0a7c5e3b-51f4-4c2e-8d0d-2f6a9c1b7e44")
RETAINED_GAIN = "ACCOUNTING.RETAINED_EARNINGS.GAIN"
RETAINED_LOSS = "ACCOUNTING.RETAINED_EARNINGS.LOSS"


def fiscal_year_id(year: int) -> UUID:
    return uuid.uuid5(_FISCAL_YEARS, str(year))


@dataclass(frozen=True)
class TransactionDetail:
    """A posted ledger transaction and the code of each account its entries touch."""

    transaction: Transaction
    account_codes: dict[UUID, str]


@dataclass(frozen=True)
class LedgerCheck:
    """The ledger's invariant violations (none: the books are sound) and what was checked."""

    violations: list[Violation]
    transactions: int
    entries: int

    @property
    def ok(self) -> bool:
        return not self.violations


class AccountingService:
    def __init__(self, app: Lana) -> None:
        self.app = app

    # --- chart and statements -----------------------------------------------------------

    def import_chart(self, actor: Actor, text: str, *, source: str = "chart") -> ImportResult:
        with self.app.operation(actor, "accounting/chart/*", "accounting:chart:import") as uow:
            return ChartOfAccounts(uow.ledger).import_csv(text, source=source)

    def chart(self, actor: Actor) -> Chart:
        with self.app.operation(actor, "accounting/chart/*", "accounting:chart:read") as uow:
            return ChartOfAccounts(uow.ledger).load()

    def trial_balance(self, actor: Actor, date_from: date, date_to: date, currency: Currency = Currency.USD,
                      layer: Layer = Layer.SETTLED) -> TrialBalance:
        with self.app.operation(actor, "accounting/statement/trial-balance", "accounting:statement:read") as uow:
            return self._statements(uow).trial_balance(date_from, date_to, currency, layer)

    def balance_sheet(self, actor: Actor, as_of: date, currency: Currency = Currency.USD,
                      layer: Layer = Layer.SETTLED) -> BalanceSheet:
        with self.app.operation(actor, "accounting/statement/balance-sheet", "accounting:statement:read") as uow:
            return self._statements(uow).balance_sheet(as_of, currency, layer)

    def profit_and_loss(self, actor: Actor, date_from: date, date_to: date, currency: Currency = Currency.USD,
                        layer: Layer = Layer.SETTLED) -> ProfitAndLoss:
        with self.app.operation(actor, "accounting/statement/profit-and-loss", "accounting:statement:read") as uow:
            return self._statements(uow).profit_and_loss(date_from, date_to, currency, layer)

    def balance(self, actor: Actor, code: str, currency: Currency = Currency.USD, *,
                as_of: date | None = None) -> Balance:
        with self.app.operation(actor, f"accounting/ledger/{code}", "accounting:ledger:read") as uow:
            return uow.ledger.balance(code, currency, as_of=as_of)

    def export_entries(self, actor: Actor, output: Path, *, date_from: date | None = None,
                       date_to: date | None = None, on_progress=None) -> int:  # type: ignore[no-untyped-def]
        with self.app.operation(actor, "accounting/ledger/*", "accounting:ledger:export") as uow:
            return export_entries(uow.conn, output, date_from=date_from, date_to=date_to, on_progress=on_progress)

    def transaction(self, actor: Actor, transaction_id: UUID) -> TransactionDetail:
        with self.app.operation(actor, "accounting/ledger/*", "accounting:ledger:read") as uow:
            tx = uow.ledger.transaction(transaction_id)
            codes = {e.account_id: uow.ledger.account(e.account_id).code for e in tx.entries}
            return TransactionDetail(tx, codes)

    def check_ledger(self, actor: Actor) -> LedgerCheck:
        """Verify the ledger's invariants against what is stored."""
        with self.app.operation(actor, "accounting/ledger/*", "accounting:ledger:read") as uow:
            violations = check_invariants(uow.conn)
            transactions, entries = uow.conn.execute(
                "SELECT (SELECT count(*) FROM ledger.transactions), (SELECT count(*) FROM ledger.entries)"
            ).fetchone()
            return LedgerCheck(violations, transactions, entries)

    def _statements(self, uow: UnitOfWork) -> Statements:
        return Statements(uow.ledger, ChartOfAccounts(uow.ledger).load())

    # --- manual transactions ------------------------------------------------------------

    def post_manual_transaction(self, actor: Actor, description: str, lines: list[ManualLine], *,
                                effective_date: date | None = None, reference: str | None = None) -> ManualTransaction:
        """Post operator-entered lines. Each names a ledger account by code, or a leaf of the
        chart (its manual account is created on first use). A reference, when given, makes a
        repeat of the same request return the first transaction."""
        with self.app.operation(actor, "accounting/manual-transaction/*", "accounting:manual-transaction:create") as uow:
            tx_id, id_ = self.app.db.ids(), self.app.db.ids()
            effective = effective_date or self.app.clock.today()
            resolved = [
                EntryLine(self._manual_account(uow, line.account), line.direction, line.amount, line.currency,
                          description=line.description)
                for line in lines
            ]
            posted = uow.ledger.post_entries(
                resolved, description=description, effective_date=effective, transaction_id=tx_id,
                idempotency_key=f"manual:{reference}" if reference else None,
                metadata={"kind": "manual_transaction", "manual_transaction_id": str(id_)},
            )
            if posted.replayed:
                existing = uow.events.find_one(ManualTransaction, "state->>'ledger_transaction_id' = %s", (str(posted.id),))
                if existing is not None:
                    return existing
            manual = ManualTransaction.post(id_, reference or f"MT-{id_.hex[-8:].upper()}", description, effective,
                                            list(lines), posted.id)
            uow.events.save(manual)
            return manual

    def _manual_account(self, uow: UnitOfWork, code: str) -> UUID:
        account = uow.ledger.find_account(code)
        if account is not None:
            return account.id
        chart = ChartOfAccounts(uow.ledger).load()
        entry = next((e for e in chart.entries if e.code == code), None)
        if entry is None:
            raise NotFound(f"no ledger account or chart node {code}")
        if any(e.parent_code == code for e in chart.entries):
            raise InvalidInput(f"chart node {code} has children: post to one of its leaves")
        manual_code = f"MANUAL.{code}"
        existing = uow.ledger.find_account(manual_code)
        if existing is not None:
            return existing.id
        return uow.ledger.create_account(manual_code, f"{entry.name} (manual)", entry.normal_balance,
                                         member_of=[code]).id

    def manual_transactions(self, actor: Actor) -> list[ManualTransaction]:
        with self.app.operation(actor, "accounting/manual-transaction/*", "accounting:manual-transaction:list") as uow:
            return uow.events.find_all(ManualTransaction)

    # --- fiscal years -------------------------------------------------------------------

    def open_fiscal_year(self, actor: Actor, year: int) -> FiscalYear:
        with self.app.operation(actor, f"accounting/fiscal-year/{year}", "accounting:fiscal-year:open") as uow:
            if uow.events.find(FiscalYear, fiscal_year_id(year)) is not None:
                raise AccountingError(f"fiscal year {year} is already open")
            fiscal_year = FiscalYear.open(fiscal_year_id(year), year)
            uow.events.save(fiscal_year)
            return fiscal_year

    def close_month(self, actor: Actor, year: int, month: int) -> FiscalYear:
        """Close the next month of the year: from now on no posting may be dated in it."""
        with self.app.operation(actor, f"accounting/fiscal-year/{year}", "accounting:fiscal-year:close-month") as uow:
            fiscal_year = self._fiscal_year(uow, year)
            earlier = uow.events.find_one(
                FiscalYear, "(state->>'year')::int < %s AND NOT (state->>'closed')::boolean", (year,)
            )
            if earlier is not None:
                # Its closing transaction is dated 31 December: the books must stay open until then.
                raise AccountingError(f"close fiscal year {earlier.year} before closing months of {year}")
            through = fiscal_year.close_month(month, self.app.clock.today())
            uow.ledger.close_journal_through(through)
            uow.events.save(fiscal_year)
            return fiscal_year

    def close_year(self, actor: Actor, year: int) -> FiscalYear:
        """Post the closing transaction (31 December), moving each currency's result from
        revenue, cost of revenue and expenses to retained earnings, then close December."""
        with self.app.operation(actor, f"accounting/fiscal-year/{year}", "accounting:fiscal-year:close-year") as uow:
            fiscal_year = self._fiscal_year(uow, year)
            today = self.app.clock.today()
            fiscal_year.check_closable(today)
            through = date(year, 12, 31)
            chart = ChartOfAccounts(uow.ledger).load()
            codes = chart.categories
            gain, loss = self._retained_earnings_accounts(uow, codes.retained_earnings_gain,
                                                          codes.retained_earnings_loss)
            tx_ids, net_income = [], {}
            for currency in Currency:
                balances = uow.ledger.account_balances_under(
                    [codes.revenue, codes.cost_of_revenue, codes.expenses], currency, as_of=through
                )
                lines, income = [], 0
                for account_id, _code, totals in balances:
                    raw = totals.dr - totals.cr  # debit balances are costs, credit balances income
                    if raw:
                        lines.append(EntryLine(account_id, Direction.CREDIT if raw > 0 else Direction.DEBIT,
                                               abs(raw), currency))
                        income -= raw
                if not lines:
                    continue
                if income > 0:
                    lines.append(EntryLine(gain, Direction.CREDIT, income, currency))
                elif income < 0:
                    lines.append(EntryLine(loss, Direction.DEBIT, -income, currency))
                posted = uow.ledger.post_entries(
                    lines, description=f"Year-end closing {year} ({currency})", effective_date=through,
                    idempotency_key=f"fiscal-year:{year}:closing:{currency}",
                    metadata={"kind": YEAR_END_CLOSING, "fiscal_year": year},
                )
                tx_ids.append(posted.id)
                net_income[currency.value] = income
            uow.ledger.close_journal_through(through)
            fiscal_year.close_year(today, tuple(tx_ids), net_income)
            uow.events.save(fiscal_year)
            return fiscal_year

    def _retained_earnings_accounts(self, uow: UnitOfWork, gain_node: str, loss_node: str) -> tuple[UUID, UUID]:
        ids = []
        for code, node, name in ((RETAINED_GAIN, gain_node, "Retained earnings (profits)"),
                                 (RETAINED_LOSS, loss_node, "Retained earnings (losses)")):
            account = uow.ledger.find_account(code)
            if account is None:
                account = uow.ledger.create_account(code, name, Direction.CREDIT, member_of=[node])
            ids.append(account.id)
        return ids[0], ids[1]

    def fiscal_years(self, actor: Actor) -> list[FiscalYear]:
        with self.app.operation(actor, "accounting/fiscal-year/*", "accounting:fiscal-year:list") as uow:
            return uow.events.find_all(FiscalYear, order="(state->>'year')::int")

    def _fiscal_year(self, uow: UnitOfWork, year: int) -> FiscalYear:
        fiscal_year = uow.events.find(FiscalYear, fiscal_year_id(year))
        if fiscal_year is None:
            raise NotFound(f"fiscal year {year} is not open (open it first)")
        return fiscal_year

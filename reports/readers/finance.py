"""Finance staff's reports, read from the accounting and credit marts for an as-of date D.

Every amount in the marts is integer minor units (cents, sats); the reports show major units
as exact decimals (``12345`` cents is ``Decimal('123.45')``, ``150000`` sats is
``Decimal('0.00150000')``). Both currencies are reported, USD first; a statement line whose
amounts are all zero is left out. Statements cover the settled layer, as the core's do.

What each report covers (the marts are daily or monthly; D may be any day):

- trial balance: the month to date, from the first of D's month through D: each chart node's
  opening balance, the period's debits and credits, its closing balance at the end of D. (The
  ``trial_balance`` mart is by whole month; so that a report as of the 15th does not show the
  rest of the month, the report reads the daily node balances the mart is built from, with the
  same arithmetic: as of a month's last day it equals the mart's row for that month.)
- balance sheet: the balances at the end of D (``balance_sheet``, ``balance_sheet_totals``).
- profit and loss: both the month to date and the year to date ending on D (``profit_and_loss``
  by day, year-end closings left out), with the year's months one by one. The year is the
  calendar year, as the core's fiscal years are.
- loan portfolio: every credit facility as it stood at the end of D. The ``loan_portfolio`` mart
  holds only the warehouse's last day, so the report rebuilds D from the history the warehouse
  keeps: the facility accounts' daily balances, the facilities' recorded states, the
  obligations' dates and the published prices; as of the mart's day it equals the mart.

The warehouse must cover D: a report as of a day after the last day the warehouse has seen
would show stale figures, so it is refused until the pipeline has run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from lana_core.errors import LanaError
from lana_core.money import Currency
from lana_core.report.domain import ReportDefinition
from reports.content import BarChart, ReportContent, Table
from reports.warehouse import Warehouse

CURRENCIES = ("USD", "BTC")  # the order reports list them in
CHART_CURRENCY = "USD"  # charts show dollars
SATS_PER_BITCOIN = 100_000_000


class WarehouseBehind(LanaError):
    """The warehouse has not seen the as-of date yet."""


def major(minor: int, currency: str) -> Decimal:
    """Minor units as an exact amount in major units, with all its decimal places."""
    return Decimal(int(minor)).scaleb(-Currency(currency).exponent)


def _currency_order(currency: str) -> int:
    return CURRENCIES.index(currency) if currency in CURRENCIES else len(CURRENCIES)


def check_covered(warehouse: Warehouse, as_of: date) -> None:
    """Refuse an as-of date after the last day the warehouse has seen."""
    (last,), = warehouse.query(f"select max(date_day) as last_day from {warehouse.relation('int_ledger_dates')}",
                               {}).rows
    if last is None or last < as_of:
        seen = f"ends on {last}" if last else "is empty"
        raise WarehouseBehind(f"the warehouse {seen}, before the as-of date {as_of}: "
                              "run the pipeline (`lana pipeline run`) after that day first")


# --- trial balance ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    currency: str
    category: str
    code: str
    name: str
    depth: int
    debit_normal: bool
    opening: int
    debits: int
    credits: int
    closing: int


def _trial_balance_lines(warehouse: Warehouse, start: date, as_of: date) -> list[_Line]:
    daily, nodes = warehouse.relation("int_chart_node_balances_daily"), warehouse.relation("int_chart_nodes")
    found = warehouse.query(f"""
        with last_day as (
            select max(balance_date) as balance_date from {daily} where balance_date <= @as_of
        ),
        closing as (
            select node_code, currency, settled_dr_total, settled_cr_total
            from {daily}
            where balance_date = (select balance_date from last_day)
        ),
        period as (
            select node_code, currency, sum(settled_dr) as debits, sum(settled_cr) as credits
            from {daily}
            where balance_date between @period_start and @as_of
            group by node_code, currency
        )
        select
            closing.currency, nodes.category, nodes.node_code, nodes.node_name, nodes.depth, nodes.position,
            nodes.normal_balance, closing.settled_dr_total, closing.settled_cr_total,
            coalesce(period.debits, 0) as debits, coalesce(period.credits, 0) as credits
        from closing
        join {nodes} as nodes on nodes.node_code = closing.node_code
        left join period on period.node_code = closing.node_code and period.currency = closing.currency
    """, {"as_of": as_of, "period_start": start})
    lines = []
    for currency, category, code, name, depth, position, normal, dr_total, cr_total, debits, credits in sorted(
            found.rows, key=lambda r: (_currency_order(r[0]), r[5])):
        side = 1 if normal == "debit" else -1
        lines.append(_Line(currency, category, code, name, int(depth), normal == "debit",
                           opening=side * ((dr_total - debits) - (cr_total - credits)), debits=int(debits),
                           credits=int(credits), closing=side * (dr_total - cr_total)))
    return lines


def trial_balance(definition: ReportDefinition, warehouse: Warehouse, as_of: date) -> ReportContent:
    check_covered(warehouse, as_of)
    start = as_of.replace(day=1)
    lines = _trial_balance_lines(warehouse, start, as_of)
    table = Table("Trial balance", ("currency", "category", "node_code", "node_name", "depth", "opening", "debits",
                                    "credits", "closing"),
                  tuple((ln.currency, ln.category, ln.code, ln.name, ln.depth, major(ln.opening, ln.currency),
                         major(ln.debits, ln.currency), major(ln.credits, ln.currency),
                         major(ln.closing, ln.currency))
                        for ln in lines if ln.opening or ln.debits or ln.credits or ln.closing))
    totals = []
    for currency in sorted({ln.currency for ln in lines}, key=_currency_order):
        top = [ln for ln in lines if ln.currency == currency and ln.depth == 0]
        open_dr, open_cr = _sides([(ln.debit_normal, ln.opening) for ln in top])
        close_dr, close_cr = _sides([(ln.debit_normal, ln.closing) for ln in top])
        debits, credits = sum(ln.debits for ln in top), sum(ln.credits for ln in top)
        totals.append((currency, *(major(v, currency) for v in (debits, credits, open_dr, open_cr, close_dr, close_cr)),
                       debits == credits and open_dr == open_cr and close_dr == close_cr))
    totals_table = Table("Totals", ("currency", "debits", "credits", "opening_debit_balances",
                                    "opening_credit_balances", "closing_debit_balances", "closing_credit_balances",
                                    "is_balanced"), tuple(totals))
    top = [ln for ln in lines if ln.currency == CHART_CURRENCY and ln.depth == 0]
    names = tuple(ln.name for ln in top)
    charts = (
        BarChart(f"Balance of each top-level node, opening and closing ({CHART_CURRENCY})", names, (
            ("Opening", tuple(major(ln.opening, CHART_CURRENCY) for ln in top)),
            ("Closing", tuple(major(ln.closing, CHART_CURRENCY) for ln in top))), horizontal=True),
        BarChart(f"The period's debits and credits by top-level node ({CHART_CURRENCY})", names, (
            ("Debits", tuple(major(ln.debits, CHART_CURRENCY) for ln in top)),
            ("Credits", tuple(major(ln.credits, CHART_CURRENCY) for ln in top))), horizontal=True),
    )
    return ReportContent(definition.id, definition.name, as_of, (table, totals_table), charts, (start, as_of))


def _sides(balances: list[tuple[bool, int]]) -> tuple[int, int]:
    """Total debit-side and credit-side balances of top-level nodes (a node's normal-side
    balance as debit minus credit, then put on the side it sits), as the core totals them."""
    raw = [amount if debit_normal else -amount for debit_normal, amount in balances]
    return sum(r for r in raw if r > 0), -sum(r for r in raw if r < 0)


# --- balance sheet ---------------------------------------------------------------------------

def balance_sheet(definition: ReportDefinition, warehouse: Warehouse, as_of: date) -> ReportContent:
    check_covered(warehouse, as_of)
    sheet, totals = warehouse.relation("balance_sheet"), warehouse.relation("balance_sheet_totals")
    day = f"(select max(as_of_date) from {sheet} where as_of_date <= @as_of)"
    lines = warehouse.query(f"""
        select currency, category, node_code, node_name, depth, position, balance
        from {sheet} where as_of_date = {day}
    """, {"as_of": as_of}).rows
    lines.sort(key=lambda r: (_currency_order(r[0]), r[5]))
    table = Table("Balance sheet", ("currency", "category", "node_code", "node_name", "depth", "balance"),
                  tuple((c, cat, code, name, int(depth), major(balance, c))
                        for c, cat, code, name, depth, _, balance in lines if balance))
    found = warehouse.query(f"""
        select currency, assets, liabilities, equity, current_earnings, liabilities_and_equity, is_balanced
        from {totals} where as_of_date = {day}
    """, {"as_of": as_of}).rows
    found.sort(key=lambda r: _currency_order(r[0]))
    totals_table = Table("Totals", ("currency", "assets", "liabilities", "equity", "current_earnings",
                                    "liabilities_and_equity", "is_balanced"),
                         tuple((c, *(major(v, c) for v in amounts), bool(balanced))
                               for c, *amounts, balanced in found))
    usd = [r for r in lines if r[0] == CHART_CURRENCY]
    usd_totals = next((r for r in found if r[0] == CHART_CURRENCY), None)
    charts: list[BarChart] = []
    if usd_totals:
        _, assets, liabilities, equity, earnings, _, _ = usd_totals
        charts.append(BarChart(f"Assets against liabilities and equity ({CHART_CURRENCY})",
                               ("Assets", "Liabilities", "Equity", "Current earnings"),
                               (("Balance", tuple(major(v, CHART_CURRENCY)
                                                  for v in (assets, liabilities, equity, earnings))),)))
    for title, categories in (("What the assets are", ("asset",)),
                              ("What funds them: liabilities and equity", ("liability", "equity"))):
        parts = [r for r in usd if r[1] in categories and r[4] == 1 and r[6]]
        extra = []
        if categories != ("asset",) and usd_totals and usd_totals[4]:
            extra = [("Current earnings", usd_totals[4])]
        items = [(r[3], r[6]) for r in parts] + extra
        if items:
            charts.append(BarChart(f"{title} ({CHART_CURRENCY})", tuple(name for name, _ in items),
                                   (("Balance", tuple(major(v, CHART_CURRENCY) for _, v in items)),),
                                   horizontal=True))
    return ReportContent(definition.id, definition.name, as_of, (table, totals_table), tuple(charts))


# --- profit and loss -------------------------------------------------------------------------

def profit_and_loss(definition: ReportDefinition, warehouse: Warehouse, as_of: date) -> ReportContent:
    check_covered(warehouse, as_of)
    month_start, year_start = as_of.replace(day=1), as_of.replace(month=1, day=1)
    pnl = warehouse.relation("profit_and_loss")
    lines = warehouse.query(f"""
        with nodes as (
            select distinct currency, category, node_code, node_name, depth, position from {pnl}
        ),
        sums as (
            select
                currency, node_code,
                sum(case when movement_date >= @month_start then result else 0 end) as month_to_date,
                sum(result) as year_to_date
            from {pnl}
            where movement_date between @year_start and @as_of
            group by currency, node_code
        )
        select nodes.currency, nodes.category, nodes.node_code, nodes.node_name, nodes.depth, nodes.position,
               coalesce(sums.month_to_date, 0) as month_to_date, coalesce(sums.year_to_date, 0) as year_to_date
        from nodes
        left join sums on sums.currency = nodes.currency and sums.node_code = nodes.node_code
    """, {"as_of": as_of, "month_start": month_start, "year_start": year_start}).rows
    lines.sort(key=lambda r: (_currency_order(r[0]), r[5]))
    table = Table("Profit and loss", ("currency", "category", "node_code", "node_name", "depth", "month_to_date",
                                      "year_to_date"),
                  tuple((c, cat, code, name, int(depth), major(mtd, c), major(ytd, c))
                        for c, cat, code, name, depth, _, mtd, ytd in lines if mtd or ytd))
    currencies = sorted({r[0] for r in lines}, key=_currency_order)
    summary = []
    for currency in currencies:
        top = [r for r in lines if r[0] == currency and r[4] == 0]
        for period, start, column in (("month to date", month_start, 6), ("year to date", year_start, 7)):
            by_category: dict[str, int] = defaultdict(int)
            for r in top:
                by_category[r[1]] += int(r[column])
            result = _result(by_category)
            summary.append((currency, period, start, as_of, *(major(v, currency) for v in result)))
    summary_table = Table("Summary", ("currency", "period", "date_from", "date_to", "revenue", "cost_of_revenue",
                                      "gross_profit", "expenses", "net_income"), tuple(summary))
    months = _by_month(warehouse, year_start, as_of)
    month_rows = []
    for currency in currencies:
        for month in sorted(m for c, m in months if c == currency):
            first = date(month.year, month.month, 1)
            last = min(_month_end(first), as_of)
            revenue, cost, gross, expenses, net = _result(months[(currency, month)])
            month_rows.append((currency, f"{first:%Y-%m}", first, last, *(major(v, currency) for v in (
                revenue, cost, expenses, net))))
    month_table = Table("By month", ("currency", "month", "date_from", "date_to", "revenue", "cost_of_revenue",
                                     "expenses", "net_income"), tuple(month_rows))
    usd = [r for r in month_rows if r[0] == CHART_CURRENCY]
    charts = (BarChart(f"Revenue, costs and net income by month ({CHART_CURRENCY})", tuple(r[1] for r in usd), (
        ("Revenue", tuple(r[4] for r in usd)),
        ("Cost of revenue and expenses", tuple(r[5] + r[6] for r in usd)),
        ("Net income", tuple(r[7] for r in usd)))),) if usd else ()
    return ReportContent(definition.id, definition.name, as_of, (table, summary_table, month_table), charts,
                         (year_start, as_of))


def _result(by_category: dict[str, int]) -> tuple[int, int, int, int, int]:
    """Revenue, cost of revenue, gross profit, expenses and net income from category totals."""
    revenue, cost, expenses = (int(by_category.get(c, 0)) for c in ("revenue", "cost_of_revenue", "expenses"))
    return revenue, cost, revenue - cost, expenses, revenue - cost - expenses


def _by_month(warehouse: Warehouse, start: date, as_of: date) -> dict[tuple[str, date], dict[str, int]]:
    """Per currency and month (its first day), each category's result, from the daily mart
    (grouped here: month truncation is written differently on each engine)."""
    found = warehouse.query(f"""
        select currency, category, movement_date, result from {warehouse.relation('profit_and_loss')}
        where depth = 0 and movement_date between @year_start and @as_of
    """, {"year_start": start, "as_of": as_of}).rows
    months: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for currency, category, day, result in found:
        months[(currency, day.replace(day=1))][category] += int(result)
    return months


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


# --- loan portfolio --------------------------------------------------------------------------

PORTFOLIO_STATUSES = ("pending_collateralization", "active", "matured", "closed")
ROLES = ("DISBURSED_NOT_YET_DUE", "DISBURSED_DUE", "DISBURSED_OVERDUE", "DISBURSED_DEFAULTED",
         "INTEREST_NOT_YET_DUE", "INTEREST_DUE", "INTEREST_OVERDUE", "INTEREST_DEFAULTED", "FACILITY")


def _portfolio_rows(warehouse: Warehouse, as_of: date) -> list[dict[str, Any]]:
    """Each facility at the end of ``as_of``, amounts in minor units."""
    r = warehouse.relation
    statuses = ", ".join(f"'{s}'" for s in PORTFOLIO_STATUSES)
    role_sums = ",\n".join(
        f"sum(case when roles.credit_role = '{role}' and daily.currency = 'USD' then daily.settled_balance else 0 end)"
        f" as {role.lower()}" for role in ROLES)
    balance_columns = ", ".join(f"balances.{c}" for c in (*(role.lower() for role in ROLES),
                                                            "interest_accrued_unbilled", "collateral_sats"))
    end = datetime.combine(as_of + timedelta(days=1), time())  # the end of the day, UTC
    found = warehouse.query(f"""
        with as_of_day as (
            select max(date_day) as balance_date from {r('int_ledger_dates')} where date_day <= @as_of
        ),
        states as (
            select * from {r('int_credit_facility_states')}
            where valid_from < @end_of_day and (valid_to is null or valid_to >= @end_of_day)
        ),
        roles as (
            select distinct account_id, credit_facility_id, credit_role
            from {r('int_account_balances_current')}
            where credit_facility_id is not null
        ),
        balances as (
            select
                roles.credit_facility_id,
                {role_sums},
                sum(case when roles.credit_role = 'INTEREST_NOT_YET_DUE' and daily.currency = 'USD'
                         then daily.pending_balance else 0 end) as interest_accrued_unbilled,
                sum(case when roles.credit_role = 'COLLATERAL' and daily.currency = 'BTC'
                         then daily.settled_balance else 0 end) as collateral_sats
            from {r('int_account_balances_daily')} as daily
            join roles on roles.account_id = daily.account_id
            where daily.balance_date = (select balance_date from as_of_day)
            group by roles.credit_facility_id
        ),
        unpaid as (
            select credit_facility_id, min(due_date) as oldest_due_date
            from {r('int_obligations')}
            where effective_date <= @as_of and due_date <= @as_of and (paid_date is null or paid_date > @as_of)
            group by credit_facility_id
        )
        select states.credit_facility_id, states.customer_id, states.customer_type, states.status,
               states.collateralization_state, states.amount, states.annual_rate, states.duration_months,
               states.activation_date, states.maturity_date, {balance_columns}, unpaid.oldest_due_date
        from states
        left join balances on balances.credit_facility_id = states.credit_facility_id
        left join unpaid on unpaid.credit_facility_id = states.credit_facility_id
        where states.status in ({statuses})
    """, {"as_of": as_of, "end_of_day": end}).rows
    price = warehouse.query(f"""
        select price_cents_per_btc from {r('stg_price__prices')}
        where published_at < @end_of_day
        order by published_at desc, price_id desc
        limit 1
    """, {"end_of_day": end}).rows
    price_cents = int(price[0][0]) if price else None
    rows = []
    for values in found:
        (facility, customer, customer_type, status, state, amount, rate, months, activation, maturity,
         *role_values, unbilled, collateral, oldest_due) = values
        b = {role.lower(): int(v or 0) for role, v in zip(ROLES, role_values, strict=True)}
        principal = b["disbursed_not_yet_due"] + b["disbursed_due"] + b["disbursed_overdue"]
        interest = b["interest_not_yet_due"] + b["interest_due"] + b["interest_overdue"]
        total = principal + interest
        collateral = int(collateral or 0)
        value = collateral * price_cents // SATS_PER_BITCOIN if price_cents is not None else None
        rows.append({
            "credit_facility_id": facility, "customer_id": customer, "customer_type": customer_type,
            "status": status, "collateralization_state": state, "amount": int(amount), "annual_rate": rate,
            "duration_months": months, "activation_date": activation, "maturity_date": maturity,
            "undrawn": b["facility"],
            "principal_not_yet_due": b["disbursed_not_yet_due"], "principal_due": b["disbursed_due"],
            "principal_overdue": b["disbursed_overdue"], "principal_defaulted": b["disbursed_defaulted"],
            "principal_outstanding": principal,
            "interest_not_yet_due": b["interest_not_yet_due"], "interest_due": b["interest_due"],
            "interest_overdue": b["interest_overdue"], "interest_defaulted": b["interest_defaulted"],
            "interest_outstanding": interest, "interest_accrued_unbilled": int(unbilled or 0),
            "total_outstanding": total, "collateral_sats": collateral, "price_cents_per_btc": price_cents,
            "collateral_value_cents": value,
            "cvl_percent": value * 100 // total if value is not None and total > 0 else None,
            "days_past_due": (as_of - oldest_due).days if oldest_due else 0,
        })
    rows.sort(key=lambda row: (row["activation_date"] or date.max, row["credit_facility_id"]))
    return rows


PORTFOLIO_COLUMNS = (
    "credit_facility_id", "customer_id", "customer_type", "status", "collateralization_state", "currency", "amount",
    "annual_rate", "duration_months", "activation_date", "maturity_date", "undrawn", "principal_not_yet_due",
    "principal_due", "principal_overdue", "principal_defaulted", "principal_outstanding", "interest_not_yet_due",
    "interest_due", "interest_overdue", "interest_defaulted", "interest_outstanding", "interest_accrued_unbilled",
    "total_outstanding", "collateral_btc", "price_usd_per_btc", "collateral_value", "cvl_percent", "days_past_due",
)
_USD_AMOUNTS = {"amount", "undrawn", "principal_not_yet_due", "principal_due", "principal_overdue",
                "principal_defaulted", "principal_outstanding", "interest_not_yet_due", "interest_due",
                "interest_overdue", "interest_defaulted", "interest_outstanding", "interest_accrued_unbilled",
                "total_outstanding"}


def loan_portfolio(definition: ReportDefinition, warehouse: Warehouse, as_of: date) -> ReportContent:
    check_covered(warehouse, as_of)
    facilities = _portfolio_rows(warehouse, as_of)
    rows = []
    for f in facilities:
        shown = {**f, "currency": "USD",
                 "annual_rate": _rate(f["annual_rate"]),
                 "collateral_btc": major(f["collateral_sats"], "BTC"),
                 "price_usd_per_btc": _maybe_major(f["price_cents_per_btc"], "USD"),
                 "collateral_value": _maybe_major(f["collateral_value_cents"], "USD")}
        for column in _USD_AMOUNTS:
            shown[column] = major(f[column], "USD")
        rows.append(tuple(shown[c] for c in PORTFOLIO_COLUMNS))
    summary = []
    for status in PORTFOLIO_STATUSES:
        group = [f for f in facilities if f["status"] == status]
        if not group:
            continue
        summary.append((status, len(group), *(major(sum(f[c] for f in group), "USD") for c in (
            "principal_outstanding", "interest_outstanding", "total_outstanding")),
            major(sum(f["collateral_sats"] for f in group), "BTC"),
            _maybe_major(sum(f["collateral_value_cents"] or 0 for f in group), "USD")))
    summary_table = Table("Summary by status", ("status", "facilities", "principal_outstanding",
                                                "interest_outstanding", "total_outstanding", "collateral_btc",
                                                "collateral_value"), tuple(summary))
    return ReportContent(definition.id, definition.name, as_of,
                         (Table("Loan portfolio", PORTFOLIO_COLUMNS, tuple(rows)), summary_table))


def _maybe_major(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else major(minor, currency)


def _rate(value: Decimal | None) -> Decimal | None:
    """A rate in percent without the warehouse's trailing zeros, at least two places (12.00)."""
    if value is None:
        return None
    trimmed = value.normalize()
    return trimmed.quantize(Decimal("0.01")) if trimmed.as_tuple().exponent > -2 else trimmed

"""The chart of accounts: a tree of ledger account sets with codes, and its statement categories.

Importing a chart creates one account set per node (its code is the node's dotted code) and
nests it in its parent's set, so every balance rolls up the tree. Importing again is safe:
nodes already present and identical are left alone, new nodes are added, and a node that
differs from what is stored is refused. A refused import changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from importlib import resources
from uuid import UUID

from lana_core.accounting.chart_csv import ChartNode, parse_chart_csv
from lana_core.errors import InvalidInput, NotFound
from lana_core.ledger import Direction, Ledger

PRIMARY_CHART = "primary"


class Category(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    COST_OF_REVENUE = "cost_of_revenue"
    EXPENSES = "expenses"
    OFF_BALANCE_SHEET = "off_balance_sheet"


@dataclass(frozen=True)
class CategoryCodes:
    """Which top-level node is which statement category (anything else is off-balance), and
    the equity nodes that the year-end closing credits with a profit or debits with a loss."""

    assets: str = "1"
    liabilities: str = "2"
    equity: str = "3"
    revenue: str = "4"
    cost_of_revenue: str = "5"
    expenses: str = "6"
    retained_earnings_gain: str = "32.01"
    retained_earnings_loss: str = "32.02"

    def category_of(self, top_level_code: str) -> Category:
        return {
            self.assets: Category.ASSET,
            self.liabilities: Category.LIABILITY,
            self.equity: Category.EQUITY,
            self.revenue: Category.REVENUE,
            self.cost_of_revenue: Category.COST_OF_REVENUE,
            self.expenses: Category.EXPENSES,
        }.get(top_level_code, Category.OFF_BALANCE_SHEET)

    def problems(self, nodes: dict[str, tuple[str | None, str]]) -> list[str]:
        """Check against the chart's nodes ({code: (parent_code, top_level_code)})."""
        out = []
        tops = [self.assets, self.liabilities, self.equity, self.revenue, self.cost_of_revenue, self.expenses]
        if len(set(tops)) != len(tops):
            out.append("the six category codes must be distinct")
        for field in fields(self)[:6]:
            code = getattr(self, field.name)
            if code not in nodes or nodes[code][0] is not None:
                out.append(f"{field.name} code {code} is not a top-level node of the chart")
        for field in fields(self)[6:]:
            code = getattr(self, field.name)
            if code not in nodes or nodes[code][1] != self.equity:
                out.append(f"{field.name} code {code} is not a node under equity ({self.equity})")
        return out


@dataclass(frozen=True)
class ChartEntry:
    """A node as stored: code, parent, name, normal balance, depth (0 at the top), position in
    the chart, its ledger account set, and the statement category of its top-level node."""

    code: str
    parent_code: str | None
    name: str
    normal_balance: Direction
    depth: int
    position: int
    account_set_id: UUID
    category: Category


@dataclass(frozen=True)
class Chart:
    id: UUID
    code: str
    name: str
    journal_id: UUID
    categories: CategoryCodes
    entries: tuple[ChartEntry, ...]  # in chart order

    def entry(self, code: str) -> ChartEntry:
        for e in self.entries:
            if e.code == code:
                return e
        raise NotFound(f"chart {self.code} has no node {code}")

    def in_category(self, category: Category) -> list[ChartEntry]:
        return [e for e in self.entries if e.category is category]


@dataclass(frozen=True)
class ImportResult:
    created: tuple[str, ...]  # codes of the nodes added
    unchanged: int            # nodes that were already there, identical


def default_chart_csv() -> str:
    return resources.files("lana_core.accounting").joinpath("default_chart.csv").read_text()


class ChartOfAccounts:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.conn = ledger.conn

    def exists(self, code: str = PRIMARY_CHART) -> bool:
        return self.conn.execute("SELECT 1 FROM accounting.charts WHERE code = %s", (code,)).fetchone() is not None

    def load(self, code: str = PRIMARY_CHART) -> Chart:
        row = self.conn.execute(
            "SELECT id, code, name, journal_id, assets_code, liabilities_code, equity_code, revenue_code, "
            "cost_of_revenue_code, expenses_code, retained_earnings_gain_code, retained_earnings_loss_code "
            "FROM accounting.charts WHERE code = %s",
            (code,),
        ).fetchone()
        if row is None:
            raise NotFound(f"there is no chart of accounts {code!r} (import one with `lana accounting import-chart`)")
        chart_id, code, name, journal_id, *codes = row
        categories = CategoryCodes(*codes)
        entries = tuple(
            ChartEntry(c, parent, n, Direction(nb), depth, pos, set_id, categories.category_of(c[0]))
            for c, parent, n, nb, depth, pos, set_id in self.conn.execute(
                "SELECT code, parent_code, name, normal_balance, depth, position, account_set_id "
                "FROM accounting.chart_nodes WHERE chart_id = %s ORDER BY position",
                (chart_id,),
            )
        )
        return Chart(chart_id, code, name, journal_id, categories, entries)

    def import_csv(
        self,
        text: str,
        *,
        chart_code: str = PRIMARY_CHART,
        name: str = "Chart of accounts",
        categories: CategoryCodes | None = None,
        source: str = "chart",
    ) -> ImportResult:
        """Parse and import a chart; all nodes or none. The caller commits."""
        parsed = parse_chart_csv(text, source=source)
        is_new = not self.exists(chart_code)
        existing = {} if is_new else {e.code: e for e in self.load(chart_code).entries}

        problems = []
        for node in parsed:
            old = existing.get(node.code)
            if old is not None and (old.name, old.normal_balance, old.parent_code) != (
                node.name, node.normal_balance, node.parent_code,
            ):
                problems.append(
                    f"line {node.line}: node {node.code} already exists as "
                    f"{old.name!r} ({old.normal_balance}, parent {old.parent_code or 'none'})"
                )
        if problems:
            raise InvalidInput(f"{source} conflicts with chart {chart_code}: " + "; ".join(problems))

        if is_new:
            categories = categories or CategoryCodes()
            shape = {n.code: (n.parent_code, n.top_level_code) for n in parsed}
            bad = categories.problems(shape)
            if bad:
                raise InvalidInput(f"{source}: " + "; ".join(bad))
            chart_id = self.ledger.ids()
            self.conn.execute(
                "INSERT INTO accounting.charts (id, code, name, journal_id, assets_code, liabilities_code, "
                "equity_code, revenue_code, cost_of_revenue_code, expenses_code, "
                "retained_earnings_gain_code, retained_earnings_loss_code, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    chart_id, chart_code, name, self.ledger.journal().id,
                    categories.assets, categories.liabilities, categories.equity, categories.revenue,
                    categories.cost_of_revenue, categories.expenses,
                    categories.retained_earnings_gain, categories.retained_earnings_loss,
                    self.ledger.clock.now(),
                ),
            )
        else:
            chart_id = self.load(chart_code).id

        depths = {code: e.depth for code, e in existing.items()}
        position = max((e.position for e in existing.values()), default=0)
        created = []
        for node in parsed:
            if node.code in existing:
                continue
            position += 1
            depths[node.code] = 0 if node.parent_code is None else depths[node.parent_code] + 1
            self._create_node(chart_id, chart_code, node, depths[node.code], position)
            created.append(node.code)
        return ImportResult(tuple(created), len(parsed) - len(created))

    def import_default(self) -> ImportResult:
        return self.import_csv(default_chart_csv(), source="default chart")

    def _create_node(self, chart_id: UUID, chart_code: str, node: ChartNode, depth: int, position: int) -> None:
        account_set = self.ledger.create_account_set(
            node.code,
            node.name,
            node.normal_balance,
            metadata={"chart": chart_code},
            member_of=[node.parent_code] if node.parent_code else [],
        )
        self.conn.execute(
            "INSERT INTO accounting.chart_nodes (chart_id, code, parent_code, name, normal_balance, depth, "
            "position, account_set_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                chart_id, node.code, node.parent_code, node.name, node.normal_balance.value, depth,
                position, account_set.id, self.ledger.clock.now(),
            ),
        )

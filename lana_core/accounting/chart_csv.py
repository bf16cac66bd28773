"""Reading a chart of accounts from CSV (the format of LANA_DOMAIN §6.1).

Each row: code sections, then the node's name, then an optional normal balance::

    1,,,Assets,Debit
    11,,,Cash and Cash Equivalents,
    ,02,,Balances with Correspondent Banks,      -> code 11.02
    ,,0201,Correspondent A,                      -> code 11.02.0201

- No header; any number of section columns; fields are trimmed; blank rows are skipped.
- Leading empty section cells repeat the previous row's sections at those positions.
- Sections are digits. A top-level node is a single one-digit section (``1``). ``11`` is a
  child of ``1`` (a longer section starting with the parent's), ``11.02`` a child of ``11``.
- The parent must come earlier in the file. A child without a normal balance takes its
  parent's; a top-level node without one is credit-normal.

``parse_chart_csv`` is pure: it returns the nodes or raises ``ChartCsvError`` listing every
problem with its line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from lana_core.errors import InvalidInput
from lana_core.ledger.model import Direction


@dataclass(frozen=True)
class ChartNode:
    """A node of the chart: code (dotted, e.g. 11.02), its sections, name, normal balance,
    parent's code (None at the top) and the CSV line it came from."""

    code: str
    sections: tuple[str, ...]
    name: str
    normal_balance: Direction
    parent_code: str | None
    line: int

    @property
    def top_level_code(self) -> str:
        """The one-digit code of the top-level node this node lies under (``11.02`` -> ``1``)."""
        return self.sections[0][0]


@dataclass(frozen=True)
class LineProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ChartCsvError(InvalidInput):
    def __init__(self, problems: list[LineProblem], source: str = "chart") -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{source} is not a valid chart of accounts: {shown}{more}")


def parse_chart_csv(text: str, *, source: str = "chart") -> list[ChartNode]:
    problems: list[LineProblem] = []
    nodes: list[ChartNode] = []
    by_code: dict[str, ChartNode] = {}
    previous: tuple[str, ...] = ()
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        parsed = _parse_row(cells, previous)
        if isinstance(parsed, str):
            problems.append(LineProblem(line_no, parsed))
            continue
        sections, name, normal = parsed
        previous = sections
        code = ".".join(sections)
        if code in by_code:
            problems.append(LineProblem(line_no, f"code {code} is already defined on line {by_code[code].line}"))
            continue
        parent = _find_parent(sections, nodes)
        if parent is None and not _is_top_level(sections):
            problems.append(
                LineProblem(line_no, f"code {code} has no parent: no earlier row defines {_parent_hint(sections)}")
            )
            continue
        if normal is None:
            normal = parent.normal_balance if parent else Direction.CREDIT
        node = ChartNode(code, sections, name, normal, parent.code if parent else None, line_no)
        nodes.append(node)
        by_code[code] = node
    if problems:
        raise ChartCsvError(problems, source)
    if not nodes:
        raise ChartCsvError([LineProblem(0, "the file defines no accounts")], source)
    return nodes


def _parse_row(cells: list[str], previous: tuple[str, ...]) -> tuple[tuple[str, ...], str, Direction | None] | str:
    """(sections, name, normal balance) of one row, or the reason it is invalid."""
    name_at = next((i for i, c in enumerate(cells) if c and not c.isdigit()), None)
    if name_at is None:
        return "missing account name"
    section_cells = cells[:name_at]
    given = [i for i, c in enumerate(section_cells) if c]
    if not given:
        word = cells[name_at]
        if any(ch.isdigit() for ch in word):
            return f"code section {word!r} must contain digits only"
        return f"missing account code before {word!r}"
    first, last = given[0], given[-1]
    if len(given) != last - first + 1:
        return "code sections must be contiguous (an empty cell sits between two sections)"
    if any(c for c in section_cells[last + 1:]):
        return "unexpected value after the code"
    if first > len(previous):
        return (
            f"the row leaves {first} leading section cell(s) empty but the previous row "
            f"has only {len(previous)} section(s) to repeat"
        )
    sections = tuple(previous[:first]) + tuple(section_cells[first : last + 1])
    name = cells[name_at]
    extra = [c for c in cells[name_at + 1 :] if c]
    normal: Direction | None = None
    if extra:
        label = extra[0].lower()
        if label not in ("debit", "credit"):
            return f"normal balance must be Debit or Credit, got {extra[0]!r}"
        normal = Direction(label)
        if len(extra) > 1:
            return f"unexpected value {extra[1]!r} after the normal balance"
    return sections, name, normal


def _is_top_level(sections: tuple[str, ...]) -> bool:
    return len(sections) == 1 and len(sections[0]) == 1


def _is_parent(parent: tuple[str, ...], child: tuple[str, ...]) -> bool:
    if len(child) == len(parent) + 1:
        return child[:-1] == parent
    return (
        len(child) == len(parent) == 1
        and len(child[0]) > len(parent[0])
        and child[0].startswith(parent[0])
    )


def _find_parent(sections: tuple[str, ...], earlier: list[ChartNode]) -> ChartNode | None:
    """The most specific earlier node that is a parent of ``sections``."""
    candidates = [n for n in earlier if _is_parent(n.sections, sections)]
    return max(candidates, key=lambda n: (len(n.sections), len(n.sections[-1])), default=None)


def _parent_hint(sections: tuple[str, ...]) -> str:
    if len(sections) > 1:
        return ".".join(sections[:-1])
    return f"a code that {sections[0]} starts with"

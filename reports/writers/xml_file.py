"""XML as a regulator's XSD lays it out, checked against that XSD before anyone sees it.

The SSF schemas all have one shape: a root element (``ctri``, ``cebi``) in the schema's target
namespace holding a sequence of one row element (``persona``, ``saldo_cuenta``), whose
sub-elements are the columns. The file has the root, one row element per row, and in each row
one sub-element per column in the order the XSD declares them; a missing value (None) is
``xsi:nil="true"`` where the XSD allows nil, else an empty element (which the XSD then judges).

A file that does not validate is never returned: ``InvalidXml`` carries every reason, each
with the row and the element it concerns.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import xmlschema

from lana_core.errors import LanaError
from reports.content import Table
from reports.writers.values import text

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


@dataclass(frozen=True)
class Layout:
    """What an XSD asks of a report file. xsd: the schema file's name; namespace: its target
    namespace; root: the root element's name; row: the element each row is; columns: the row's
    sub-elements in declaration order; required: those a row must have; nillable: those that
    may be ``xsi:nil``."""

    xsd: str
    namespace: str
    root: str
    row: str
    columns: tuple[str, ...]
    required: frozenset[str]
    nillable: frozenset[str]


@dataclass(frozen=True)
class Problem:
    """One reason a file does not satisfy its schema. row: the row's number (1 is the first row
    of data), None when the problem is the file's as a whole; element: the element (or column)
    concerned; message: what is wrong."""

    row: int | None
    element: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        return f"{where}, {self.element}: {self.message}"


class InvalidXml(LanaError):
    """A report's XML does not satisfy its XSD. file: which file; problems: every reason."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(f"{file} does not validate against its XSD ({len(problems)} problem"
                         f"{'s' if len(problems) != 1 else ''}): " + "; ".join(map(str, problems)))


@lru_cache(maxsize=64)
def _schema(path: str, mtime_ns: int) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(path)


def schema(xsd: Path) -> xmlschema.XMLSchema:
    """The parsed XSD (parsed once per file version)."""
    try:
        return _schema(str(xsd), xsd.stat().st_mtime_ns)
    except FileNotFoundError:
        raise LanaError(f"there is no XSD {xsd.name} in {xsd.parent} (the schema folder: LANA_SSF_XSD_DIR)") from None


def layout(xsd: Path) -> Layout:
    """The root, row and column elements the XSD declares."""
    parsed = schema(xsd)
    root = next(iter(parsed.elements.values()))
    rows = list(root.type.content.iter_elements())
    if len(rows) != 1 or not rows[0].type.has_complex_content():
        raise LanaError(f"{xsd.name}: expected a root element holding one kind of row element")
    row = rows[0]
    columns = list(row.type.content.iter_elements())
    return Layout(
        xsd=xsd.name,
        namespace=parsed.target_namespace,
        root=root.local_name,
        row=row.local_name,
        columns=tuple(c.local_name for c in columns),
        required=frozenset(c.local_name for c in columns if c.min_occurs >= 1),
        nillable=frozenset(c.local_name for c in columns if c.nillable),
    )


def write_xml(table: Table, xsd: Path) -> bytes:
    """The rows as the XSD lays them out; raises InvalidXml unless the file validates."""
    shape = layout(xsd)
    file = f"{shape.row}.xml ({shape.xsd})"
    unknown = [c for c in table.columns if c not in shape.columns]
    missing = [c for c in shape.columns if c in shape.required and c not in table.columns]
    if unknown or missing:  # a column problem is every row's: say it once
        raise InvalidXml(file, [Problem(None, c, f"the rows have a column {c!r} that is not an element of "
                                                 f"{shape.row}") for c in unknown]
                         + [Problem(None, c, f"the rows have no column for the required element {c!r}")
                            for c in missing])
    data = _document(table, shape)
    problems = validate(data, xsd)
    if problems:
        raise InvalidXml(file, problems)
    return data


def _document(table: Table, shape: Layout) -> bytes:
    ns = shape.namespace
    index = {name: table.columns.index(name) for name in shape.columns if name in table.columns}
    root = ET.Element(f"{{{ns}}}{shape.root}")
    for row in table.rows:
        element = ET.SubElement(root, f"{{{ns}}}{shape.row}")
        for name, position in index.items():
            child = ET.SubElement(element, f"{{{ns}}}{name}")
            value = row[position]
            if value is None and name in shape.nillable:
                child.set(XSI_NIL, "true")
            elif value is not None:
                child.text = text(value)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True, default_namespace=ns) + b"\n"


def validate(data: bytes, xsd: Path) -> list[Problem]:
    """Every reason the document does not satisfy the XSD (none: it is valid)."""
    parsed = schema(xsd)
    try:
        document = ET.fromstring(data)
    except ET.ParseError as error:
        return [Problem(None, "document", f"not well-formed XML: {error}")]
    # Which row each element belongs to, to say where a problem is.
    rows: dict[int, int] = {}
    for number, row in enumerate(document, start=1):
        rows[id(row)] = number
        for child in row:
            rows[id(child)] = number
    prefix = f"{{{parsed.target_namespace}}}"
    problems = []
    for error in parsed.iter_errors(document):
        element = error.elem
        name = element.tag.replace(prefix, "") if element is not None else "document"
        reason = (error.reason or str(error)).replace(prefix, "")
        problems.append(Problem(rows.get(id(element)) if element is not None else None, name, reason))
    return problems

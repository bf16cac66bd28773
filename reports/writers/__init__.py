"""The file formats a report is written in. Each writer takes a ``ReportContent`` and returns
the file's bytes; the same content gives the same bytes (no clock, no random, no machine in them).

- ``csv``: the report's rows; a header line, ``,`` between values, ``\\n`` after each line, UTF-8.
- ``xml``: the report's rows as the regulator's XSD lays them out, validated against it.
- ``xlsx``: every table on its own formatted sheet.
- ``pdf``: the charts, then every table.
"""

from __future__ import annotations

from pathlib import Path

from reports.content import ReportContent
from reports.writers.csv_file import write_csv
from reports.writers.pdf_file import write_pdf
from reports.writers.xlsx_file import write_xlsx
from reports.writers.xml_file import InvalidXml, Problem, write_xml

FORMATS = ("csv", "xml", "xlsx", "pdf")


def write(fmt: str, content: ReportContent, *, xsd: Path | None = None) -> bytes:
    """The file of one format. ``xsd``: the schema an XML file must satisfy (XML only)."""
    if fmt == "xml":
        if xsd is None:
            raise ValueError(f"{content.report_id}: an XML output needs its XSD")
        return write_xml(content.rows, xsd)
    writers = {"csv": lambda: write_csv(content.rows), "xlsx": lambda: write_xlsx(content),
               "pdf": lambda: write_pdf(content)}
    if fmt not in writers:
        raise ValueError(f"{content.report_id}: no writer for {fmt!r} (known: {', '.join(FORMATS)})")
    return writers[fmt]()


__all__ = ["FORMATS", "InvalidXml", "Problem", "write", "write_csv", "write_pdf", "write_xlsx", "write_xml"]

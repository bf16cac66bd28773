"""CSV: a header line with the column names, then a line per row; ``,`` between values, fields
quoted only when they hold a comma, a quote or a line break; ``\\n`` after every line; UTF-8
without a byte-order mark."""

from __future__ import annotations

import csv
import io

from reports.content import Table
from reports.writers.values import text


def write_csv(table: Table) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=",", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.columns)
    writer.writerows([text(value) for value in row] for row in table.rows)
    return out.getvalue().encode("utf-8")

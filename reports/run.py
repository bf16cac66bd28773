"""One run of one report for one as-of date: read its rows, write every output the definition
lists, check the XML against the regulator's schema, and publish the files with a manifest,
all together: a run that fails at any step publishes nothing.

A run's folder (``<run id>/``) holds ``<norm>/<name>.<ext>`` per output (``name``: the report
id's part after the norm, e.g. ``nrp_92/persona.xml``) and ``manifest.json``: the report's id,
norm and name, the as-of date, its source mart, how many rows it has, the XSD its XML satisfies
and, per file, its path, format, size and sha256. Nothing in a run's files depends on the run
id or the clock: a run of the same report for the same as-of date, on the same warehouse
contents, writes the same bytes, manifest included.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lana_core.report.domain import ReportFile
from reports.definitions import schema_folder, spec
from reports.storage import MANIFEST, Storage
from reports.warehouse import Warehouse
from reports.writers import write


@dataclass(frozen=True)
class PublishedRun:
    """A published run. run_id: its folder's name; report_id; as_of; rows: how many rows the
    report has (its first table); files: each output as the core records it (file name, format,
    location, size, sha256); manifest: where manifest.json is."""

    run_id: str
    report_id: str
    as_of: date
    rows: int
    files: tuple[ReportFile, ...]
    manifest: str


def run_report(definition_id: str, as_of: date, warehouse: Warehouse, storage: Storage, run_id: str, *,
               schemas: Path | str | None = None) -> PublishedRun:
    """Produce every output of report ``definition_id`` as of ``as_of`` and publish them as run
    ``run_id``. ``schemas``: the folder of the regulator's XSDs (default: LANA_SSF_XSD_DIR);
    needed only by reports with an XML output. Raises (and publishes nothing) when the warehouse
    cannot answer or a file does not satisfy its schema (``InvalidXml``, with every reason)."""
    report = spec(definition_id)
    norm = report.definition.norm
    xsd = schema_folder(schemas) / report.xsd if report.xsd else None
    content = report.read(warehouse, as_of)
    outputs = []
    with storage.publish(run_id) as folder:
        for fmt in report.definition.outputs:
            data = write(fmt, content, xsd=xsd)
            path = f"{norm}/{report.file_stem}.{fmt}"
            (folder / norm).mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
            outputs.append({"path": path, "format": fmt, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        manifest = {
            "report": report.definition.id,
            "norm": norm,
            "name": report.definition.name,
            "as_of": as_of.isoformat(),
            "source": report.definition.source,
            "rows": len(content.rows.rows),
            "schema": report.xsd,
            "files": outputs,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    files = tuple(ReportFile(Path(o["path"]).name, o["format"], storage.location(run_id, o["path"]), o["size"],
                             o["sha256"]) for o in outputs)
    return PublishedRun(run_id, report.definition.id, as_of, len(content.rows.rows), files,
                        storage.location(run_id, MANIFEST))

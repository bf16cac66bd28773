"""A report run on a real DuckDB warehouse (a small one made here, shaped as dbt leaves it): every
output and the manifest published together, the same bytes on a second run, and nothing at all
published when a file does not validate or the warehouse cannot answer."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from lana_core.errors import LanaError
from lana_core.report.domain import definitions
from reports.definitions import spec
from reports.run import run_report
from reports.storage import LocalFolder, StorageError
from reports.warehouse import DuckDBWarehouse, WarehouseError
from reports.writers import InvalidXml
from reports.writers.xml_file import layout
from tests.reports.support import XSD_DIR, persona

D = date(2026, 1, 31)


@pytest.fixture
def warehouse(tmp_path) -> DuckDBWarehouse:
    """Two regulatory marts for two days: saldo_cuenta (valid both days) and persona (valid on D,
    one row breaking the XSD the day before)."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    with duckdb.connect(str(folder / "lana.duckdb")) as db:
        db.execute("create table report_nrp_91_saldo_cuenta (as_of_date date, id_codigo_cuenta varchar, "
                   "nom_cuenta varchar, valor decimal(17, 2))")
        db.executemany("insert into report_nrp_91_saldo_cuenta values (?, ?, ?, ?)", [
            (D, "2101", "DEPOSITOS, A LA VISTA", Decimal("-250.00")),
            (D, "1101", "CAJA", Decimal("1000.50")),
            (D, "1201", None, None),
            (date(2026, 1, 30), "1101", "CAJA", Decimal("999.00")),
        ])
        columns = list(persona())
        db.execute("create table report_nrp_92_persona (as_of_date date, "
                   + ", ".join(f'"{c}" varchar' for c in columns) + ")")
        rows = [(D, persona()), (D, persona(numero_documento="06141234567")),
                (date(2026, 1, 30), persona()), (date(2026, 1, 30), persona(tipo_persona="3"))]
        db.executemany(f"insert into report_nrp_92_persona values ({', '.join('?' * (len(columns) + 1))})",
                       [(day, *(None if v is None else str(v) for v in row.values())) for day, row in rows])
    return DuckDBWarehouse(folder)


def published(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_run_publishes_every_output_and_its_manifest_in_the_runs_folder(warehouse, tmp_path):
    root = tmp_path / "reports"
    run = run_report("nrp_91/saldo_cuenta", D, warehouse, LocalFolder(root), "run-1", schemas=XSD_DIR)

    assert published(root) == ["run-1/manifest.json", "run-1/nrp_91/saldo_cuenta.csv", "run-1/nrp_91/saldo_cuenta.xml"]
    folder = root / "run-1"
    assert (folder / "nrp_91/saldo_cuenta.csv").read_bytes() == (
        b'id_codigo_cuenta,nom_cuenta,valor\n1101,CAJA,1000.50\n1201,,\n2101,"DEPOSITOS, A LA VISTA",-250.00\n')
    xml = (folder / "nrp_91/saldo_cuenta.xml").read_bytes()
    assert b"<valor>1000.50</valor>" in xml and b"999.00" not in xml  # the as-of date's rows only
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {k: v for k, v in manifest.items() if k != "files"} == {
        "report": "nrp_91/saldo_cuenta", "norm": "nrp_91", "name": "Saldo de cuenta (chart balances)",
        "as_of": "2026-01-31", "source": "report_nrp_91_saldo_cuenta", "rows": 3, "schema": "ssf_cebi_saldo_cuenta.xsd"}
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert [(f.name, f.format, f.location, f.size) for f in run.files] == [
        (Path(e["path"]).name, e["format"], str(folder / e["path"]), e["size"]) for e in manifest["files"]]
    assert [e["format"] for e in manifest["files"]] == ["xml", "csv"]
    assert run.rows == 3 and run.manifest == str(folder / "manifest.json")


def test_a_second_run_for_the_same_day_writes_the_same_bytes(warehouse, tmp_path):
    root = tmp_path / "reports"
    for run_id in ("run-1", "run-2"):
        run_report("nrp_91/saldo_cuenta", D, warehouse, LocalFolder(root), run_id, schemas=XSD_DIR)
        run_report("nrp_92/persona", D, warehouse, LocalFolder(root / "persona"), run_id, schemas=XSD_DIR)
    for base in (root, root / "persona"):
        first, second = base / "run-1", base / "run-2"
        names = published(first)
        assert names == published(second) and "manifest.json" in names
        assert all((first / n).read_bytes() == (second / n).read_bytes() for n in names)


def test_a_file_that_breaks_the_xsd_fails_the_run_and_publishes_nothing(warehouse, tmp_path):
    root = tmp_path / "reports"
    with pytest.raises(InvalidXml) as refused:
        run_report("nrp_92/persona", date(2026, 1, 30), warehouse, LocalFolder(root), "run-1", schemas=XSD_DIR)
    assert [(p.row, p.element) for p in refused.value.problems] == [(2, "tipo_persona")]
    assert published(root) == []  # nor the CSV, which was valid


def test_a_warehouse_that_cannot_answer_fails_the_run_and_publishes_nothing(warehouse, tmp_path):
    root = tmp_path / "reports"
    with pytest.raises(WarehouseError, match="report_nrp_92_referencia does not exist"):
        run_report("nrp_92/referencia", D, warehouse, LocalFolder(root), "run-1", schemas=XSD_DIR)
    with pytest.raises(WarehouseError, match="there is no warehouse"):
        run_report("nrp_91/saldo_cuenta", D, DuckDBWarehouse(tmp_path / "nowhere"), LocalFolder(root), "run-2",
                   schemas=XSD_DIR)
    assert published(root) == []


def test_xml_reports_need_the_schema_folder(warehouse, tmp_path, monkeypatch):
    monkeypatch.delenv("LANA_SSF_XSD_DIR", raising=False)
    with pytest.raises(LanaError, match="LANA_SSF_XSD_DIR is not set"):
        run_report("nrp_91/saldo_cuenta", D, warehouse, LocalFolder(tmp_path), "run-1")
    monkeypatch.setenv("LANA_SSF_XSD_DIR", str(XSD_DIR))
    assert run_report("nrp_91/saldo_cuenta", D, warehouse, LocalFolder(tmp_path), "run-1").rows == 3


def test_a_local_folder_publishes_a_run_whole_or_not_at_all(tmp_path):
    storage = LocalFolder(tmp_path)
    with pytest.raises(RuntimeError):
        with storage.publish("run-1") as folder:
            (folder / "a.csv").write_bytes(b"half")
            raise RuntimeError("the writer failed")
    assert published(tmp_path) == []

    with storage.publish("run-1") as folder:
        (folder / "n").mkdir()
        (folder / "n/a.csv").write_bytes(b"a\n")
    assert published(tmp_path) == ["run-1/n/a.csv"] and storage.location("run-1", "n/a.csv") == str(
        tmp_path / "run-1/n/a.csv")
    with storage.publish("run-1") as folder:  # a retried run with the same files: done already
        (folder / "n").mkdir()
        (folder / "n/a.csv").write_bytes(b"a\n")
    with pytest.raises(StorageError, match="already published"):
        with storage.publish("run-1") as folder:
            (folder / "b.csv").write_bytes(b"other")
    assert published(tmp_path) == ["run-1/n/a.csv"]
    with pytest.raises(StorageError, match="cannot name a run folder"):
        with storage.publish("../elsewhere"):
            pass


def test_every_report_the_core_defines_can_be_produced_and_names_an_xsd_that_exists():
    for report_id, report in definitions().items():
        produced = spec(report_id)
        assert produced.definition == report and produced.file_stem == report_id.split("/")[1]
        if "xml" in report.outputs:
            shape = layout(XSD_DIR / produced.xsd)
            assert shape.namespace.startswith("http://validador.ssf.gob.sv/") and shape.columns
        else:
            assert produced.xsd is None

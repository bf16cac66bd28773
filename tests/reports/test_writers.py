"""The writers: CSV's exact format, XML laid out and validated by the regulator's XSD (and every
reason when it is not valid), XLSX formatted for reading, PDF with its charts; the same content
always gives the same bytes."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal

import openpyxl
import pytest
import xmlschema

from reports.content import BarChart, ReportContent, Table
from reports.writers import (
    InvalidXml,
    Problem,
    write,
    write_csv,
    write_pdf,
    write_xlsx,
    write_xml,
)
from reports.writers.xml_file import layout
from tests.reports.support import XSD_DIR, persona, saldo_cuenta

PERSONA = XSD_DIR / "ssf_ctri_persona.xsd"
SALDO = XSD_DIR / "ssf_cebi_saldo_cuenta.xsd"
AS_OF = date(2026, 1, 31)


def table_of(rows: list[dict], title: str = "rows") -> Table:
    columns = tuple(rows[0])
    return Table(title, columns, tuple(tuple(row[c] for c in columns) for row in rows))


def statement() -> ReportContent:
    lines = Table("Balance sheet", ("currency", "node_code", "node_name", "depth", "balance"), (
        ("USD", "1", "Assets", 0, Decimal("1500.25")),
        ("USD", "11", "Cash", 1, Decimal("1000.00")),
        ("USD", "12", "Loans, short term", 1, Decimal("500.25")),
        ("BTC", "9", "Collateral", 0, Decimal("0.00150000")),
    ))
    totals = Table("Totals", ("currency", "assets", "as_of", "is_balanced"), (
        ("USD", Decimal("1500.25"), AS_OF, True),
    ))
    charts = (
        BarChart("By node (USD)", ("Cash", "Loans"), (("Balance", (Decimal("1000.00"), Decimal("500.25"))),),
                 horizontal=True),
        BarChart("By month (USD)", ("2026-01",), (("Revenue", (Decimal("10.00"),)), ("Expenses", (Decimal("-4.50"),)))),
    )
    return ReportContent("finance/balance_sheet", "Balance sheet", AS_OF, (lines, totals), charts)


# --- CSV ---------------------------------------------------------------------------------------

def test_a_csv_is_a_header_then_rows_with_commas_newlines_and_utf8():
    table = Table("t", ("name", "amount", "day", "flag", "note"), (
        ("Peña, Ana", Decimal("1234.50"), date(2026, 1, 31), True, None),
        ('say "hi"', Decimal("0E-8"), None, False, "two\nlines"),
        ("plain", Decimal("-0.01"), date(2026, 2, 1), None, "ñandú"),
    ))
    assert write_csv(table) == (
        'name,amount,day,flag,note\n'
        '"Peña, Ana",1234.50,2026-01-31,true,\n'
        '"say ""hi""",0.00000000,,false,"two\nlines"\n'
        'plain,-0.01,2026-02-01,,ñandú\n'
    ).encode("utf-8")


def test_a_csv_of_no_rows_is_its_header():
    assert write_csv(Table("t", ("a", "b"), ())) == b"a,b\n"


# --- XML ---------------------------------------------------------------------------------------

def test_persona_rows_are_laid_out_as_the_xsd_declares_and_validate():
    rows = [persona(), persona(numero_documento="06141234567", primer_nombre="José", sexo_persona="M")]
    shuffled = [dict(reversed(list(row.items()))) for row in rows]  # the mart's column order does not matter
    data = write_xml(table_of(shuffled), PERSONA)

    assert xmlschema.XMLSchema(str(PERSONA)).is_valid(data)
    ns = "{http://validador.ssf.gob.sv/ctri/persona}"
    root = ET.fromstring(data)
    assert root.tag == f"{ns}ctri" and [child.tag for child in root] == [f"{ns}persona"] * 2
    first = root[0]
    assert [child.tag.removeprefix(ns) for child in first] == list(layout(PERSONA).columns) == list(persona())
    assert first.find(f"{ns}primer_apellido").text == "Hernández"
    assert first.find(f"{ns}fecha_nacimiento").text == "1980-05-17"
    assert first.find(f"{ns}riesgo_consolidado").text == "1250.50"
    assert first.find(f"{ns}segundo_nombre").get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"
    assert root[1].find(f"{ns}ocupación").text == "011"
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<ctri xmlns=\"http://validador.ssf.gob.sv/ctri/persona\"")


def test_saldo_cuenta_rows_validate_with_their_exact_amounts():
    rows = [saldo_cuenta("1101", "CAJA", Decimal("12.50")), saldo_cuenta("2101", "DEPOSITOS", Decimal("-1000.00")),
            saldo_cuenta("3101", None, None)]
    data = write_xml(table_of(rows), SALDO)
    assert xmlschema.XMLSchema(str(SALDO)).is_valid(data)
    values = [e.text for e in ET.fromstring(data).iter("{http://validador.ssf.gob.sv/cebi/saldo_cuenta}valor")]
    assert values == ["12.50", "-1000.00", None]


def test_an_invalid_file_is_refused_with_every_reason_its_row_and_element():
    rows = [persona(),
            persona(tipo_identificador="X"),
            persona(numero_documento="123456789012345", reserva=Decimal("1.005")),
            persona(residente=None)]
    with pytest.raises(InvalidXml) as refused:
        write_xml(table_of(rows), PERSONA)
    problems = refused.value.problems
    assert [(p.row, p.element) for p in problems] == [
        (2, "tipo_identificador"), (3, "numero_documento"), (3, "reserva"), (4, "residente")]
    assert [p.message for p in problems] == [
        "value must be one of ['N', 'F', 'U', 'P']", "value length cannot be greater than 14",
        "the number of fraction digits has to be lesser or equal than 2", "length has to be 1"]
    message = str(refused.value)
    assert message.startswith("persona.xml (ssf_ctri_persona.xsd) does not validate against its XSD (4 problems)")
    assert "row 2, tipo_identificador:" in message and "row 4, residente:" in message


def test_columns_the_xsd_does_not_declare_or_required_elements_without_a_column_are_named_once():
    rows = [{**saldo_cuenta("1101", "CAJA", Decimal("1.00")), "saldo_extra": 1} for _ in range(3)]
    for row in rows:
        del row["valor"]
    with pytest.raises(InvalidXml) as refused:
        write_xml(table_of(rows), SALDO)
    assert refused.value.problems == [
        Problem(None, "saldo_extra", "the rows have a column 'saldo_extra' that is not an element of saldo_cuenta"),
        Problem(None, "valor", "the rows have no column for the required element 'valor'"),
    ]


def test_a_file_without_rows_does_not_satisfy_a_schema_that_wants_at_least_one():
    with pytest.raises(InvalidXml) as refused:
        write_xml(Table("t", ("id_codigo_cuenta", "nom_cuenta", "valor"), ()), SALDO)
    [problem] = refused.value.problems
    assert problem.row is None and problem.element == "cebi" and "not complete" in problem.message


# --- XLSX and PDF ------------------------------------------------------------------------------

def test_the_xlsx_is_formatted_for_reading():
    content = statement()
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(content)))
    assert book.sheetnames == ["Balance sheet", "Totals"]
    sheet = book["Balance sheet"]
    assert [c.value for c in sheet[1]] == ["Currency", "Node code", "Node name", "Depth", "Balance"]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E5"
    assert (sheet["E2"].number_format, sheet["E5"].number_format) == ("#,##0.00", "#,##0.00000000")
    assert Decimal(str(sheet["E2"].value)) == Decimal("1500.25") and sheet["C4"].value == "Loans, short term"
    assert sheet.column_dimensions["C"].width >= len("Loans, short term")
    totals = book["Totals"]
    assert totals["C2"].number_format == "yyyy-mm-dd" and totals["C2"].value == datetime(2026, 1, 31)
    assert totals["D2"].value is True
    assert book.properties.created == datetime(2026, 1, 31) and book.properties.creator == "Lana"


def test_text_that_looks_like_a_formula_stays_text_in_the_xlsx():
    content = ReportContent("x/y", "X", AS_OF, (Table("t", ("name",), (("=HYPERLINK(\"http://x\")",),)),))
    cell = openpyxl.load_workbook(io.BytesIO(write_xlsx(content)))["t"]["A2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"


def test_the_pdf_draws_its_charts_and_tables_landscape_when_wide():
    narrow = write_pdf(statement())
    assert narrow.startswith(b"%PDF-") and narrow.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in narrow  # A4 portrait
    wide = ReportContent("x/y", "Wide", AS_OF, (Table("t", tuple(f"c{i}" for i in range(12)), ((1,) * 12,)),
                                                Table("empty", ("a",), ())))
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in write_pdf(wide)  # A4 landscape


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_the_same_content_gives_the_same_bytes_with_no_clock_in_them(fmt):
    first, again = write(fmt, statement()), write(fmt, statement())
    assert first == again
    today = datetime.now(timezone.utc)
    assert today.strftime("%Y%m%d").encode() not in first and today.strftime("%Y-%m-%d").encode() not in first
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(first)) as archive:
            assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            assert b"2026-01-31T00:00:00Z" in archive.read("docProps/core.xml")


def test_the_same_rows_give_the_same_xml():
    rows = table_of([saldo_cuenta("1101", "CAJA", Decimal("12.50"))])
    assert write_xml(rows, SALDO) == write_xml(rows, SALDO)

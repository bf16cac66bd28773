"""The regulatory marts of a simulated bank, built by the real pipeline (Meltano into DuckDB,
then dbt), against the core's live figures: NRP-91 holds every chart node's ledger balance at
every month end; NRP-92 referencia adds up, facility by facility, to the credit module's
balances and each reference's principal is its disbursal's obligation; UIF-07 lists exactly
the core's deposits and withdrawals of 25,000 USD or more, each on its day; the NCB-022 risk
follows its buckets; and the XML marts have their schema's elements, in order, and validate
against it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pytest
import xmlschema

from lana_core.money import Currency
from lana_core.simulation import Spec
from lana_core.simulation.engine import SUPERUSER, add_months
from tests.warehouse_support import simulated_warehouse

SPEC = Spec(seed=5, customers=20, start_date=date(2025, 7, 1))
MONTHS = 9
MONTH_ENDS = [add_months(SPEC.start_date, i + 1) - timedelta(days=1) for i in range(MONTHS)]
XSD_FOLDER = Path(__file__).parents[2].parent / "shared/reference/ssf-xsd"
XML_MARTS = {
    "report_nrp_92_persona": "ssf_ctri_persona.xsd",
    "report_nrp_92_referencia": "ssf_ctri_referencia.xsd",
    "report_nrp_92_referencia_garantia": "ssf_ctri_referencia_garantia.xsd",
    "report_nrp_92_garantia_criptomonedas": "ssf_ctri_garantia_criptomonedas.xsd",
    "report_nrp_91_saldo_cuenta": "ssf_cebi_saldo_cuenta.xsd",
}
NCB_022 = [(7, "A1", 0), (30, "A2", 1), (60, "B", 5), (90, "C1", 15), (120, "C2", 25), (150, "D1", 50),
           (180, "D2", 75), (None, "E", 100)]
THRESHOLD_CENTS = 25_000_00


@pytest.fixture(scope="module")
def warehouse(server, template_db, tmp_path_factory):
    """A simulated bank, extracted and built once; yields (the core's app, the warehouse folder)."""
    with simulated_warehouse(server, template_db, tmp_path_factory.mktemp("warehouse"), SPEC, [MONTHS]) as built:
        yield built


def query(folder: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(folder / "lana.duckdb"), read_only=True) as wh:
        return wh.execute(sql, params or []).fetchall()


def cents(text: str | None) -> int:
    """Decimal text as the marts write it ('1234.56') back to cents, exactly."""
    value = Decimal(text) * 100
    assert value == value.to_integral_value(), text
    return int(value)


def schema_elements(xsd: str) -> tuple[str, list[str]]:
    """The row element's name and its children's names, in the schema's order."""
    schema = xmlschema.XMLSchema(str(XSD_FOLDER / xsd))
    root = next(iter(schema.elements.values()))
    row = root.type.content[0]
    return row.local_name, [child.local_name for child in row.type.content]


@pytest.mark.parametrize("mart", sorted(XML_MARTS))
def test_an_xml_marts_columns_are_its_schemas_elements_in_order(warehouse, mart):
    _, folder = warehouse
    columns = [c for (c,) in query(folder, "SELECT column_name FROM information_schema.columns "
                                           "WHERE table_name = ? ORDER BY ordinal_position", [mart])]
    _, elements = schema_elements(XML_MARTS[mart])
    assert columns == ["as_of_date", *elements]


@pytest.mark.parametrize("mart", sorted(XML_MARTS))
def test_an_xml_marts_rows_validate_against_its_schema_at_every_month_end(warehouse, mart):
    """Each month end's rows as the report file holds them (NULL: xsi:nil) are valid."""
    _, folder = warehouse
    schema = xmlschema.XMLSchema(str(XSD_FOLDER / XML_MARTS[mart]))
    row_name, elements = schema_elements(XML_MARTS[mart])
    namespace, root_name = schema.target_namespace, next(iter(schema.elements))
    nil = "{http://www.w3.org/2001/XMLSchema-instance}nil"
    rows_seen = 0
    for day in MONTH_ENDS:
        rows = query(folder, f"SELECT * EXCLUDE (as_of_date) FROM {mart} WHERE as_of_date = ?", [day])
        if not rows:
            continue
        root = ElementTree.Element(f"{{{namespace}}}{root_name}")
        for row in rows:
            line = ElementTree.SubElement(root, f"{{{namespace}}}{row_name}")
            for name, value in zip(elements, row):
                element = ElementTree.SubElement(line, f"{{{namespace}}}{name}")
                if value is None:
                    element.set(nil, "true")
                else:
                    element.text = str(value)
        errors = [str(e).splitlines()[0] for e in schema.iter_errors(root)]
        assert errors == [], (day, errors[:3])
        rows_seen += len(rows)
    assert rows_seen >= len(MONTH_ENDS)


def test_nrp_91_holds_the_cores_balance_of_every_chart_node_at_every_month_end(warehouse):
    app, folder = warehouse
    actor = app.actor(SUPERUSER)
    chart = app.accounting.chart(actor)
    for day in MONTH_ENDS:
        reported = {code: (name, cents(value)) for code, name, value in query(
            folder, "SELECT id_codigo_cuenta, nom_cuenta, valor FROM report_nrp_91_saldo_cuenta WHERE as_of_date = ?",
            [day])}
        core = {entry.code.replace(".", "")[-10:]: (entry.name.upper()[:80],
                                                  app.accounting.balance(actor, entry.code, Currency.USD,
                                                                         as_of=day).amount())
                for entry in chart.entries}
        assert reported == core, day
    assert any(value for _, value in core.values())


def test_referencia_adds_up_to_the_credit_modules_balances_facility_by_facility(warehouse):
    """On the warehouse's last day (the core's now): per facility, the references' principal and
    interest by status are the credit module's balances; each reference's principal is what its
    disbursal's obligation still owes; the references share the facility's collateral."""
    app, folder = warehouse
    actor = app.actor(SUPERUSER)
    (last_day,) = query(folder, "SELECT max(as_of_date) FROM report_nrp_91_saldo_cuenta")[0]
    rows = query(folder, """
        SELECT risk.credit_facility_id, risk.disbursal_id, ref.saldo_vigente_k, ref.saldo_vencido_k,
               ref.saldo_vigente_i, ref.saldo_vencido_i, ref.saldo_referencia, coalesce(bitcoin.num_criptomonedas, '0')
        FROM report_nrp_92_referencia AS ref
        JOIN int_credit_reference_risk_daily AS risk
            ON risk.as_of_date = ref.as_of_date AND upper(right(replace(risk.disbursal_id, '-', ''), 20)) = ref.num_referencia
        LEFT JOIN report_nrp_92_garantia_criptomonedas AS bitcoin
            ON bitcoin.as_of_date = ref.as_of_date AND bitcoin.num_referencia = ref.num_referencia
        WHERE ref.as_of_date = ?""", [last_day])
    by_facility: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0, 0])
    principal_of: dict[str, int] = {}
    for facility_id, disbursal_id, current_k, late_k, current_i, late_i, total, btc in rows:
        sums = by_facility[facility_id]
        for i, value in enumerate((current_k, late_k, current_i, late_i)):
            sums[i] += cents(value)
        sums[4] += int(Decimal(btc) * 100_000_000)
        principal_of[disbursal_id] = cents(current_k) + cents(late_k)
        assert cents(total) == principal_of[disbursal_id] + cents(current_i) + cents(late_i)

    compared = 0
    for facility in app.credit.facilities(actor):
        if facility.status not in ("active", "matured", "closed"):
            continue
        b = app.credit.balances(actor, facility.id)
        expected = [b.principal["not_yet_due"] + b.principal["due"], b.principal["overdue"] + b.principal["defaulted"],
                    b.interest["not_yet_due"] + b.interest["due"], b.interest["overdue"] + b.interest["defaulted"]]
        got = by_facility.get(str(facility.id), [0, 0, 0, 0, 0])
        assert got[:4] == expected, facility.id
        if any(expected):
            assert got[4] == b.collateral_sats, facility.id
            compared += 1
        obligations = {o.id: o for o in app.credit.obligations(actor, facility.id)}
        for disbursal in app.credit.disbursals(actor, facility.id):
            if disbursal.obligation_id is not None and obligations[disbursal.obligation_id].outstanding:
                assert principal_of[str(disbursal.id)] == obligations[disbursal.obligation_id].outstanding
    assert compared >= 3
    assert any(sums[1] or sums[3] for sums in by_facility.values())  # something is overdue: arrears are seen


def test_referencia_adds_up_to_the_ledgers_receivables_at_every_month_end(warehouse):
    app, folder = warehouse
    actor = app.actor(SUPERUSER)
    roles = {"principal": ("DISBURSED_NOT_YET_DUE", "DISBURSED_DUE", "DISBURSED_OVERDUE", "DISBURSED_DEFAULTED"),
             "interest": ("INTEREST_NOT_YET_DUE", "INTEREST_DUE", "INTEREST_OVERDUE", "INTEREST_DEFAULTED")}
    facilities = [f for f in app.credit.facilities(actor) if f.activation_date is not None]
    for day in MONTH_ENDS[1::2]:
        reported = defaultdict(lambda: [0, 0])
        for facility_id, principal, interest in query(folder, """
                SELECT credit_facility_id, principal, interest FROM report_riesgo_neto WHERE as_of_date = ?""", [day]):
            reported[facility_id][0] += cents(principal)
            reported[facility_id][1] += cents(interest)
        for facility in facilities:
            if facility.activation_date > day:
                continue
            ledger = [sum(app.accounting.balance(actor, f"CREDIT.{facility.id}.{role}", Currency.USD, as_of=day).amount()
                          for role in roles[part]) for part in ("principal", "interest")]
            assert reported.get(str(facility.id), [0, 0]) == ledger, (day, facility.id)


def test_uif_07_lists_exactly_the_cores_deposits_and_withdrawals_of_25000_usd_or_more_each_day(warehouse):
    app, folder = warehouse
    actor = app.actor(SUPERUSER)

    def effective(transaction_id) -> date:
        return app.accounting.transaction(actor, transaction_id).transaction.effective_date

    expected = set()
    for account in app.deposits.accounts(actor):
        for deposit in app.deposits.deposits(actor, account.id):
            if deposit.amount < THRESHOLD_CENTS:
                continue
            day = effective(deposit.ledger_transaction_ids[0])
            reverted_that_day = len(deposit.ledger_transaction_ids) > 1 and effective(deposit.ledger_transaction_ids[1]) == day
            if not reverted_that_day:
                expected.add((day, str(deposit.id), "DEPOSITO", deposit.amount, account.reference))
    for withdrawal in app.deposits.withdrawals(actor):
        if withdrawal.amount < THRESHOLD_CENTS or withdrawal.status not in ("confirmed", "reverted"):
            continue
        day = effective(withdrawal.ledger_transaction_ids[1])  # initiated, then confirmed (approval posts nothing)
        if withdrawal.status == "reverted" and effective(withdrawal.ledger_transaction_ids[2]) == day:
            continue
        account = app.deposits.account(actor, withdrawal.account_id)
        expected.add((day, str(withdrawal.id), "RETIRO", withdrawal.amount, account.reference))

    reported = {(day, number, concept, cents(amount), po_account or pb_account)
                for day, number, concept, amount, po_account, pb_account in query(folder, """
                    SELECT as_of_date, numeroregistrobancario, conceptotransaccionpo, montotransaccionpb,
                           numerocuentapo, numeroproductopb FROM report_uif_07_transacciones""")}
    assert reported == expected
    assert {concept for _, _, concept, _, _ in expected} == {"DEPOSITO", "RETIRO"}


def test_the_net_risk_follows_the_ncb_022_buckets_and_reserves_only_a_positive_net_risk(warehouse):
    _, folder = warehouse
    rows = query(folder, """SELECT days_past_due, risk_category, reserve_percent, total_debt, collateral_value_usd,
                                   net_risk, reserve FROM report_riesgo_neto""")
    categories = set()
    for days, category, percent, debt, collateral, net_risk, reserve in rows:
        bucket = next((name, pct) for upper, name, pct in NCB_022 if upper is None or days <= upper)
        assert (category, percent) == bucket
        assert cents(net_risk) == cents(debt) - cents(collateral)
        exposed = max(0, cents(net_risk)) * percent
        assert cents(reserve) == exposed // 100 + (1 if exposed % 100 >= 50 else 0)  # to the cent, half up
        categories.add(category)
    assert {"A1", "E"} <= categories and len(categories) >= 4

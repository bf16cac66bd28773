"""What the report tests share: the regulator's schemas (beside the project, in shared/) and rows
that satisfy them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

# The reference copies of the SSF schemas: a deployment configures its own folder
# (LANA_SSF_XSD_DIR); the tests read these.
XSD_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "ssf-xsd"


def persona(**changes) -> dict:
    """A debtor as ssf_ctri_persona.xsd describes one (every element, in the XSD's order)."""
    row = {
        "numero_documento": "04512345-6", "tipo_identificador": "N", "primer_apellido": "Hernández",
        "segundo_apellido": None, "apellido_casada": None, "primer_nombre": "María", "segundo_nombre": None,
        "nombre_sociedad": None, "tipo_persona": "1", "tipo_relacion": "0", "residente": "1", "giro_persona": None,
        "tamano_empresa": None, "tipo_empresa": None, "reserva": Decimal("0.00"), "categoria_riesgo": "A1",
        "numero_cliente": "0001", "id_alterno": None, "tipo_id_alterno": None, "fecha_nacimiento": date(1980, 5, 17),
        "pais_residencia": Decimal("9300"), "riesgo_consolidado": Decimal("1250.50"), "sexo_persona": "F",
        "ocupación": "011", "id_pais_origen": None, "nacionalidad": Decimal("9300"), "distrito_residencia": "0614",
        "documento_anterior": None,
    }
    unknown = set(changes) - set(row)
    assert not unknown, unknown
    return {**row, **changes}


def saldo_cuenta(code: str, name: str | None, value: Decimal | None) -> dict:
    """A chart node's balance as ssf_cebi_saldo_cuenta.xsd describes one."""
    return {"id_codigo_cuenta": code, "nom_cuenta": name, "valor": value}


# The small bank the integration tests simulate (conftest.py's ``bank``).
SPEC_SEED, SPEC_CUSTOMERS, SPEC_START, SPEC_MONTHS = 11, 12, date(2025, 7, 1), 4
D = date(2025, 10, 31)  # its last simulated day: the as-of date of its reports (the core's today is the next)
FINANCE = ("finance/trial_balance", "finance/balance_sheet", "finance/profit_and_loss", "finance/loan_portfolio")

"""How the data platform produces each report the core defines.

The core's ``lana_core/report/definitions.yml`` says which reports exist (id, norm, name, the
mart they come from, their outputs). This module adds, for each, how its rows are read for an
as-of date and, for XML outputs, the regulator's schema the file must satisfy (a file name in
the schema folder, ``LANA_SSF_XSD_DIR``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from lana_core.errors import LanaError
from lana_core.report.domain import ReportDefinition, definition
from reports.content import ReportContent
from reports.readers import finance, regulatory
from reports.warehouse import Warehouse

# The XSD each XML output validates against (SSF: ctri = credit-risk registry, NRP-92;
# cebi = investment banks' balances, NRP-91).
SCHEMAS = {
    "nrp_92/persona": "ssf_ctri_persona.xsd",
    "nrp_92/referencia": "ssf_ctri_referencia.xsd",
    "nrp_92/referencia_garantia": "ssf_ctri_referencia_garantia.xsd",
    "nrp_92/garantia_criptomonedas": "ssf_ctri_garantia_criptomonedas.xsd",
    "nrp_91/saldo_cuenta": "ssf_cebi_saldo_cuenta.xsd",
}

# Reports whose rows are queried here; every other report reads its regulatory mart.
FINANCE = {
    "finance/trial_balance": finance.trial_balance,
    "finance/balance_sheet": finance.balance_sheet,
    "finance/profit_and_loss": finance.profit_and_loss,
    "finance/loan_portfolio": finance.loan_portfolio,
}

SCHEMA_FOLDER_VARIABLE = "LANA_SSF_XSD_DIR"


@dataclass(frozen=True)
class ReportSpec:
    """One report as the data platform makes it. definition: the core's (id, norm, name, source
    mart, outputs); read: reads its content for an as-of date from a warehouse; xsd: the schema
    file its XML output must satisfy (None: it has no XML output)."""

    definition: ReportDefinition
    read: Callable[[Warehouse, date], ReportContent]
    xsd: str | None

    @property
    def file_stem(self) -> str:
        """The name its files take, without extension: the id's part after the norm."""
        return self.definition.id.split("/", 1)[1]


def spec(definition_id: str) -> ReportSpec:
    """How to produce the core's report ``definition_id`` (NotFound for an unknown id)."""
    report = definition(definition_id)
    reader = FINANCE.get(report.id, regulatory.read_mart)
    xsd = SCHEMAS.get(report.id)
    if "xml" in report.outputs and xsd is None:
        raise LanaError(f"report {report.id} has an XML output but no XSD is named for it")
    return ReportSpec(report, partial(reader, report), xsd)


def schema_folder(folder: Path | str | None = None) -> Path:
    """Where the regulator's XSDs are: ``folder``, else LANA_SSF_XSD_DIR."""
    chosen = folder or os.environ.get(SCHEMA_FOLDER_VARIABLE)
    if not chosen:
        raise LanaError(f"{SCHEMA_FOLDER_VARIABLE} is not set: XML reports are validated against the "
                        "regulator's XSDs, in the folder it names")
    path = Path(chosen)
    if not path.is_dir():
        raise LanaError(f"the schema folder {path} ({SCHEMA_FOLDER_VARIABLE}) does not exist")
    return path

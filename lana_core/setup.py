"""Setting a database up to run a bank: idempotent, safe to run on every start.

Permission rules and predefined roles, a superuser, the chart of accounts (the default one
unless one is already loaded), the ledger accounts the modules post to, and the default price
providers (Bitfinex, active; a manual price, inactive) unless providers of those names exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from lana_core.access.domain import Actor
from lana_core.accounting.chart import ChartOfAccounts, ImportResult
from lana_core.app import Lana
from lana_core.credit import ledger as credit_ledger
from lana_core.deposit import ledger as deposit_ledger

SETUP = Actor.system("setup")


@dataclass(frozen=True)
class SetupResult:
    superuser: str
    chart: ImportResult | None  # None when a chart was already loaded


def setup(app: Lana, superuser_email: str) -> SetupResult:
    user = app.access.bootstrap(superuser_email)
    chart = None
    with app.operation(SETUP, "accounting/chart/*", "accounting:chart:import") as uow:
        charts = ChartOfAccounts(uow.ledger)
        if not charts.exists():
            chart = charts.import_default()
        deposit_ledger.ensure_module_accounts(uow.ledger)
        credit_ledger.ensure_module_accounts(uow.ledger)
    with app.operation(SETUP, "price/provider/*", "price:provider:create") as uow:
        app.prices.ensure_default_providers(uow)
    return SetupResult(user.email, chart)

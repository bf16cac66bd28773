"""``lana setup``: make a migrated database ready to run a bank (idempotent)."""

from __future__ import annotations

import click

from lana_core.cli.common import say
from lana_core.cli.context import AppContext, err_console


@click.command("setup")
@click.option("--superuser", "email", required=True, metavar="EMAIL",
              help="The first operator, with every permission (created if missing).")
@click.pass_obj
def setup_cmd(app: AppContext, email: str) -> None:
    """Permission sets and predefined roles, a superuser, the chart of accounts and the
    modules' ledger accounts; safe to run again. Needs a migrated database; no --as."""
    from lana_core.setup import setup

    lana = app.lana()
    with err_console.status("setting up"):
        result = setup(lana, email)
    say("permission sets and predefined roles in place")
    say(f"superuser: {result.superuser}")
    if result.chart is None:
        say("chart of accounts: already loaded, left as is")
    else:
        say(f"chart of accounts: default chart loaded ({len(result.chart.created)} nodes)")
    say("deposit module ledger accounts in place")

"""``lana serve``: the HTTP endpoints providers call (webhooks)."""

from __future__ import annotations

import click

from lana_core.cli.context import AppContext, err_console


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.pass_obj
def serve(app: AppContext, host: str, port: int) -> None:
    """Serve the webhooks (POST /webhooks/kyc, GET /health) until interrupted."""
    import uvicorn

    from lana_core.api.webhooks import create_api

    lana = app.lana()
    if not lana.config.kyc_webhook_secret:
        err_console.print("note: LANA_KYC_WEBHOOK_SECRET is not set: KYC webhooks will be refused")
    uvicorn.run(create_api(lana), host=host, port=port, log_level="info")

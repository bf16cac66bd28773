"""The webhooks providers call, as an ASGI application.

``POST /webhooks/kyc``: the KYC provider's notifications, signed with HMAC-SHA256 of the raw
body in ``X-Payload-Digest``. 200 with the outcome (processed, duplicate, ignored); 401 for a
bad signature, 400 for a body that is not a notification, 422 for a notification refused by the
customer's rules.

``POST /webhooks/custodian/{custodian_id}``: a custodian's notifications (BitGo or Komainu
signatures, see ``lana_core.custody.providers``). 200 with the outcome (processed, duplicate,
ignored); 401 for a bad or missing signature, 400 for a body that cannot be read, 404 for an
unknown custodian, 413 for a body over 1 MiB, 502 when the custodian could not be asked for the
balance (the delivery may be retried), 422 for another refusal.

``GET /health``: liveness.
"""

from __future__ import annotations

from uuid import UUID

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lana_core.app import Lana
from lana_core.custody import providers as custody
from lana_core.customer.kyc import SIGNATURE_HEADER, InvalidSignature
from lana_core.errors import InvalidInput, LanaError, NotFound

MAX_CUSTODIAN_BODY = 1 << 20


def create_api(app: Lana) -> Starlette:
    async def kyc_webhook(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            # The handler does blocking database work: keep it off the event loop.
            from starlette.concurrency import run_in_threadpool

            outcome = await run_in_threadpool(
                app.customers.handle_kyc_webhook, body, request.headers.get(SIGNATURE_HEADER)
            )
        except InvalidSignature as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        except InvalidInput as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except LanaError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse({"outcome": outcome})

    async def custodian_webhook(request: Request) -> JSONResponse:
        try:
            custodian_id = UUID(request.path_params["custodian_id"])
        except ValueError:
            return JSONResponse({"error": "there is no such custodian"}, status_code=404)
        body = await request.body()
        if len(body) > MAX_CUSTODIAN_BODY:
            return JSONResponse({"error": "the body is larger than 1 MiB"}, status_code=413)
        try:
            outcome = await run_in_threadpool(
                app.custody.handle_webhook, custodian_id, dict(request.headers), body
            )
        except NotFound as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except custody.InvalidSignature as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        except InvalidInput as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except custody.CustodianUnavailable as exc:
            return JSONResponse({"error": str(exc)}, status_code=502)
        except LanaError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse(outcome.as_json())

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[
        Route("/webhooks/kyc", kyc_webhook, methods=["POST"]),
        Route("/webhooks/custodian/{custodian_id}", custodian_webhook, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ])

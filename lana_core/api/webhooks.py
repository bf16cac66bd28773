"""The webhooks providers call, as an ASGI application.

``POST /webhooks/kyc``: the KYC provider's notifications, signed with HMAC-SHA256 of the raw
body in ``X-Payload-Digest``. 200 with the outcome (processed, duplicate, ignored); 401 for a
bad signature, 400 for a body that is not a notification, 422 for a notification refused by the
customer's rules. ``GET /health``: liveness.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lana_core.app import Lana
from lana_core.customer.kyc import SIGNATURE_HEADER, InvalidSignature
from lana_core.errors import InvalidInput, LanaError


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

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[
        Route("/webhooks/kyc", kyc_webhook, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
    ])

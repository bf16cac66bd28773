"""A fake custodian speaking the BitGo and Komainu APIs Lana uses, for tests and local runs.

A real ``http.server`` on 127.0.0.1 (a free port), in a thread::

    with FakeCustodian(api_key="k") as fake:
        custodian base URL = fake.base_url
        fake.set_balance(wallet_id, 150_000)             # then deliver a webhook:
        headers, body = bitgo_webhook("secret", wallet_id)

Routes (``Authorization: Bearer <api_key>`` required, else 401):
``POST /api/v2/btc/wallet/generate``, ``GET /api/v2/btc/wallet/{id}`` (BitGo);
``POST /v1/custody/wallets``, ``GET /v1/custody/wallets/{id}`` (Komainu). Unknown wallet: 404.
``fail_with = 503`` makes every call fail with that status until reset to None;
``overrides[(method, path)] = (status, answer)`` answers one route as given.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from lana_core.custody.providers import (
    BITGO_SIGNATURE_HEADER,
    IDEMPOTENCY_HEADER,
    KOMAINU_SIGNATURE_HEADER,
    KOMAINU_TIMESTAMP_HEADER,
    bitgo_signature,
    komainu_signature,
    sats_to_btc,
)


class FakeCustodian:
    """wallets: id -> {"label", "address", "sats", "style"}; requests: (method, path) seen."""

    def __init__(self, api_key: str = "fake-api-key") -> None:
        self.api_key = api_key
        self.wallets: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.fail_with: int | None = None
        self.overrides: dict[tuple[str, str], tuple[int, Any]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- running ----------------------------------------------------------------------------

    def start(self) -> FakeCustodian:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                fake._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self, "POST")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="fake-custodian",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeCustodian:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake custodian first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- state ------------------------------------------------------------------------------

    def set_balance(self, wallet_id: str, sats: int) -> None:
        with self._lock:
            self.wallets[wallet_id]["sats"] = sats

    def add_wallet(self, wallet_id: str, sats: int = 0, style: str = "bitgo") -> None:
        with self._lock:
            self.wallets[wallet_id] = {"label": wallet_id, "address": f"bc1q{wallet_id}", "sats": sats, "style": style}

    # --- serving ----------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        path = request.path.split("?", 1)[0]
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        with self._lock:
            self.requests.append((method, path))
            status, answer = self._answer(request, method, path, raw)
        data = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _answer(self, request: BaseHTTPRequestHandler, method: str, path: str, raw: bytes) -> tuple[int, Any]:
        if self.fail_with is not None:
            return self.fail_with, {"error": "the fake custodian is failing on purpose"}
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, {"error": "unauthorized"}
        if (method, path) in self.overrides:
            return self.overrides[(method, path)]
        if method == "POST" and path in ("/api/v2/btc/wallet/generate", "/v1/custody/wallets"):
            try:
                label = str(json.loads(raw)["label"])
            except (ValueError, KeyError, TypeError):
                return 400, {"error": "a label is required"}
            style = "bitgo" if path.startswith("/api/") else "komainu"
            number = 1 + sum(1 for w in self.wallets.values() if w["style"] == style)
            wallet_id, address = f"{style}-{number:04d}", f"bc1q{style}{number:04d}"
            self.wallets[wallet_id] = {"label": label, "address": address, "sats": 0, "style": style}
            if style == "bitgo":
                return 200, {"id": wallet_id, "label": label, "coin": "btc", "receiveAddress": {"address": address}}
            return 200, {"id": wallet_id, "label": label, "asset": "BTC", "address": address}
        for prefix, style in (("/api/v2/btc/wallet/", "bitgo"), ("/v1/custody/wallets/", "komainu")):
            if method == "GET" and path.startswith(prefix):
                wallet_id = unquote(path[len(prefix):])
                wallet = self.wallets.get(wallet_id)
                if wallet is None:
                    return 404, {"error": f"no wallet {wallet_id}"}
                sats = wallet["sats"]
                if style == "bitgo":
                    return 200, {"id": wallet_id, "label": wallet["label"], "confirmedBalance": sats,
                                 "balance": sats, "spendableBalance": sats}
                return 200, {"id": wallet_id, "label": wallet["label"],
                             "balance": {"available": sats_to_btc(sats), "currency": "BTC"}}
        return 404, {"error": f"no route {method} {path}"}


# --- signed deliveries --------------------------------------------------------------------


def bitgo_webhook(secret: str, wallet_id: str, *, state: str = "confirmed", simulation: bool = False,
                  transfer: str = "transfer-1", idempotency_key: str | None = None) -> tuple[dict[str, str], bytes]:
    """A BitGo transfer notification, signed with ``secret``: (headers, body)."""
    body = json.dumps({"type": "transfer", "wallet": wallet_id, "transfer": transfer, "state": state,
                       "simulation": simulation, "coin": "btc"}).encode()
    headers = {BITGO_SIGNATURE_HEADER: bitgo_signature(secret, body), "content-type": "application/json"}
    if idempotency_key:
        headers[IDEMPOTENCY_HEADER] = idempotency_key
    return headers, body


def komainu_webhook(secret: str, wallet_id: str, *, timestamp: str = "1767225600",
                    event_type: str = "BalanceUpdated", idempotency_key: str | None = None) -> tuple[dict[str, str], bytes]:
    """A Komainu wallet notification, signed with ``secret`` over ``timestamp.body``."""
    body = json.dumps({"event_type": event_type, "entity": "Wallet", "entity_id": wallet_id}).encode()
    headers = {KOMAINU_SIGNATURE_HEADER: komainu_signature(secret, timestamp, body),
               KOMAINU_TIMESTAMP_HEADER: timestamp, "content-type": "application/json"}
    if idempotency_key:
        headers[IDEMPOTENCY_HEADER] = idempotency_key
    return headers, body

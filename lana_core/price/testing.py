"""A stand-in for Bitfinex's public API on this machine, for tests and offline runs.

``FakeBitfinex`` is a real HTTP server (``http.server``, on 127.0.0.1, a free port, in a
thread) answering ``GET /v2/ticker/tBTCUSD`` with a ticker whose last price is what the test
set, or failing as told::

    with FakeBitfinex(last_price="67890.5") as fake:
        provider config base_url = fake.url
        fake.fail_with(503)          # or fake.answer(b"not json"), fake.last_price = "70000"
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lana_core.price.sources import TICKER_PATH


class FakeBitfinex:
    def __init__(self, last_price: str = "67890.5") -> None:
        self.last_price = last_price
        self.status = 200
        self.body: bytes | None = None  # answered as is when set
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                fake.requests.append(self.path)
                if self.path != TICKER_PATH:
                    self._send(404, b'["error",10020,"symbol: invalid"]')
                elif fake.status != 200:
                    self._send(fake.status, b'["error",11010,"ratelimit: error"]')
                else:
                    self._send(200, fake.body if fake.body is not None else fake.ticker())

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-bitfinex", daemon=True)

    @property
    def url(self) -> str:
        """The base url to configure a Bitfinex provider with."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def ticker(self) -> bytes:
        """[BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE, LAST_PRICE, VOLUME, HIGH, LOW]"""
        last = self.last_price
        return f"[{last},7.1,{last},4.2,-120,-0.0018,{last},812.5,{last},{last}]".encode()

    def fail_with(self, status: int) -> None:
        self.status = status

    def answer(self, body: bytes) -> None:
        self.body = body

    def start(self) -> FakeBitfinex:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeBitfinex:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""``lana serve``: the KYC webhook over real HTTP, from a server process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from lana_core.customer.kyc import sign
from tests.e2e.cli import new_customer

SECRET = "serve-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, body: bytes, signature: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/kyc", data=body, method="POST",
                                     headers={"X-Payload-Digest": signature})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_server_takes_signed_kyc_webhooks_and_refuses_forged_ones(root):
    customer = new_customer(root)
    port = free_port()
    env = {**os.environ, **root.env, "LANA_KYC_WEBHOOK_SECRET": SECRET}
    # Its own session, default signals: background shells here may start children ignoring SIGTERM.
    server = subprocess.Popen(
        [sys.executable, "-m", "lana_core.cli.main", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=lambda: (signal.signal(signal.SIGTERM, signal.SIG_DFL), signal.signal(signal.SIGINT, signal.SIG_DFL)),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        body = json.dumps({"type": "applicantReviewed", "applicantId": "srv-1", "externalUserId": customer["id"],
                           "levelName": "basic-kyc-level", "reviewResult": {"reviewAnswer": "GREEN"}}).encode()
        assert post(port, body, sign("wrong", body))[0] == 401
        assert post(port, body, sign(SECRET, body)) == (200, {"outcome": "processed"})
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
    assert root.json("customer", "show", customer["id"])["kyc_status"] == "verified"

"""Custodians' webhooks over HTTP: POST /webhooks/custodian/{custodian_id}."""

from __future__ import annotations

import uuid

from starlette.testclient import TestClient

from lana_core.api.webhooks import create_api
from lana_core.custody.fake_server import FakeCustodian, bitgo_webhook, komainu_webhook
from lana_core.custody.providers import bitgo_signature
from tests.integration.conftest import snapshot
from tests.integration.test_custody_flows import (
    API_KEY,
    BITGO_SECRET,
    ENCRYPTION_KEY,
    KOMAINU_SECRET,
    messages,
    open_wallet,
    webhook_log,
)


def test_custodian_webhooks_over_http(bank, root):
    bank.config.encryption_key = ENCRYPTION_KEY
    with FakeCustodian(API_KEY) as fake:
        bitgo = bank.custody.create_custodian(root, "BitGo", "bitgo", fake.base_url, api_key=API_KEY,
                                              webhook_secret=BITGO_SECRET)
        komainu = bank.custody.create_custodian(root, "Komainu", "komainu", fake.base_url, api_key=API_KEY,
                                                webhook_secret=KOMAINU_SECRET)
        at_bitgo, at_komainu = open_wallet(bank, bitgo), open_wallet(bank, komainu)
        fake.set_balance(at_bitgo.external_wallet_id, 250_000)
        fake.set_balance(at_komainu.external_wallet_id, 100_000_000)
        client = TestClient(create_api(bank))
        url = f"/webhooks/custodian/{bitgo.id}"
        headers, body = bitgo_webhook(BITGO_SECRET, at_bitgo.external_wallet_id)

        before = snapshot(bank)
        forged = client.post(url, content=body, headers={**headers, "x-signature-sha256": bitgo_signature("x", body)})
        assert forged.status_code == 401 and "does not match" in forged.json()["error"]
        unsigned = client.post(url, content=body)
        assert unsigned.status_code == 401 and "no signature" in unsigned.json()["error"]
        unreadable = client.post(url, content=b"{nope", headers={"x-signature-sha256": bitgo_signature(BITGO_SECRET, b"{nope")})
        assert unreadable.status_code == 400 and "not JSON" in unreadable.json()["error"]
        for unknown in (f"/webhooks/custodian/{uuid.uuid4()}", "/webhooks/custodian/not-a-uuid"):
            assert client.post(unknown, content=body, headers=headers).status_code == 404
        fake.fail_with = 503
        unavailable = client.post(url, content=body, headers=headers)
        assert unavailable.status_code == 502 and "HTTP 503" in unavailable.json()["error"]
        fake.fail_with = None
        assert snapshot(bank) == before

        ok = client.post(url, content=body, headers=headers)
        assert ok.status_code == 200
        assert ok.json() | {"reason": ""} == {"outcome": "processed", "reason": "", "wallet_id": str(at_bitgo.id),
                                             "balance_sats": 250_000, "unit": "sats"}
        again = client.post(url, content=body, headers=headers)
        assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")
        unconfirmed_headers, unconfirmed = bitgo_webhook(BITGO_SECRET, at_bitgo.external_wallet_id, state="unconfirmed",
                                                         transfer="t-2")
        assert client.post(url, content=unconfirmed, headers=unconfirmed_headers).json()["outcome"] == "ignored"

        k_headers, k_body = komainu_webhook(KOMAINU_SECRET, at_komainu.external_wallet_id)
        k_ok = client.post(f"/webhooks/custodian/{komainu.id}", content=k_body, headers=k_headers)
        assert (k_ok.status_code, k_ok.json()["balance_sats"]) == (200, 100_000_000)

        assert [m["balance_sats"] for m in messages(bank)] == [250_000, 100_000_000]
        assert [o for o, _, _ in webhook_log(bank)] == [
            "rejected", "rejected", "rejected", "failed", "processed", "duplicate", "ignored", "processed"]

"""The KYC webhook over HTTP."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from lana_core.api.webhooks import create_api
from lana_core.customer.domain import KycStatus
from lana_core.customer.kyc import sign
from tests.integration.conftest import KYC_SECRET, new_customer, snapshot


def test_the_kyc_webhook_over_http(bank, root):
    customer = new_customer(bank, root)
    client = TestClient(create_api(bank))
    body = json.dumps({"type": "applicantReviewed", "applicantId": "a-9", "externalUserId": str(customer.id),
                       "levelName": "basic-kyc-level", "reviewResult": {"reviewAnswer": "GREEN"}}).encode()
    before = snapshot(bank)
    forged = client.post("/webhooks/kyc", content=body, headers={"X-Payload-Digest": sign("guess", body)})
    assert forged.status_code == 401 and "signature" in forged.json()["error"]
    assert client.post("/webhooks/kyc", content=b"{not json", headers={"X-Payload-Digest": sign(KYC_SECRET, b"{not json")}).status_code == 400
    assert snapshot(bank) == before
    ok = client.post("/webhooks/kyc", content=body, headers={"X-Payload-Digest": sign(KYC_SECRET, body)})
    assert (ok.status_code, ok.json()) == (200, {"outcome": "processed"})
    again = client.post("/webhooks/kyc", content=body, headers={"X-Payload-Digest": sign(KYC_SECRET, body)})
    assert again.json() == {"outcome": "duplicate"}
    assert bank.customers.get(root, customer.id).kyc_status is KycStatus.VERIFIED
    assert client.get("/health").json() == {"status": "ok"}

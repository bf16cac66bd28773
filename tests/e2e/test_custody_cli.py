"""``lana custody``: custodians with secrets from the environment, wallets, simulated balances."""

from __future__ import annotations

import uuid

from lana_core.custody.fake_server import FakeCustodian
from tests.e2e.cli import Operator, lana

API_KEY = "e2e-custodian-api-key-c4f1"
WEBHOOK_SECRET = "e2e-custodian-webhook-secret-97ad"


def test_custodians_and_wallets_are_managed_from_the_command_line(root):
    key = lana("custody", "generate-key").stdout.strip()
    ops = Operator({**root.env, "LANA_ENCRYPTION_KEY": key})
    secrets = {"LANA_CUSTODIAN_API_KEY": API_KEY, "LANA_CUSTODIAN_WEBHOOK_SECRET": WEBHOOK_SECRET}
    with FakeCustodian(API_KEY) as fake:
        # Secrets come from the environment (out of shell history) and are never shown.
        bitgo = ops.json("custody", "custodian", "create", "BitGo", "--kind", "bitgo", "--base-url", fake.base_url,
                         env=secrets)
        assert (bitgo["kind"], bitgo["active"], bitgo["has_api_key"], bitgo["has_webhook_secret"]) == (
            "bitgo", True, True, True)
        assert bitgo["webhook_path"] == f"/webhooks/custodian/{bitgo['id']}"
        simulated = ops.json("custody", "custodian", "create", "Simulator", "--kind", "simulated", env=secrets)
        assert simulated["has_api_key"] is False  # the environment's secrets are not a simulated custodian's
        listing = ops.run("custody", "custodian", "list").stdout + ops.run("custody", "custodian", "show", "BitGo").stdout
        assert "BitGo" in listing and "Simulator" in listing and "set (encrypted)" in listing
        assert API_KEY not in listing and WEBHOOK_SECRET not in listing

        # A wallet at the real-looking custodian is opened through its API.
        at_bitgo = ops.json("custody", "wallet", "create", "--custodian", "BitGo", "--owner", str(uuid.uuid4()),
                            "--label", "CF 1")
        assert (at_bitgo["external_wallet_id"], at_bitgo["address"], at_bitgo["balance_sats"], at_bitgo["unit"]) == (
            "bitgo-0001", "bc1qbitgo0001", 0, "sats")

    # The simulated custodian's balances are set in BTC, exactly.
    owner = str(uuid.uuid4())
    wallet = ops.json("custody", "wallet", "create", "--custodian", simulated["id"], "--owner", owner)
    assert wallet["label"] == f"CF {owner}" and wallet["address"].startswith("bcrt1q")
    assert ops.json("custody", "wallet", "set-balance", wallet["id"], "0.5")["balance_sats"] == 50_000_000
    assert ops.refused("custody", "wallet", "set-balance", wallet["id"], "0.000000001") == (
        "0.000000001 BTC has more than 8 decimal places")
    assert ops.refused("custody", "wallet", "set-balance", at_bitgo["id"], "1") == (
        "wallet CF 1 is held by bitgo custodian BitGo: only a simulated custodian's balances are set by hand")
    assert [w["id"] for w in ops.json("custody", "wallet", "list", "--owner", owner)] == [wallet["id"]]
    assert len(ops.json("custody", "wallet", "list")) == 2
    shown = ops.run("custody", "wallet", "show", wallet["id"]).stdout
    assert "0.50000000 BTC" in shown and owner in shown

    # Deactivation stops new wallets; rotation keeps the other secret; no key, no secrets.
    assert ops.json("custody", "custodian", "deactivate", "BitGo")["active"] is False
    assert ops.refused("custody", "wallet", "create", "--custodian", "BitGo", "--owner", str(uuid.uuid4())) == (
        "custodian BitGo is not active: no new wallets there")
    rotated = ops.json("custody", "custodian", "rotate-secrets", "BitGo", "--webhook-secret", "rotated-secret")
    assert rotated["secrets_version"] == 2
    assert ops.refused("custody", "custodian", "create", "Komainu", "--kind", "komainu", "--base-url",
                       "https://komainu.example", env={**secrets, "LANA_ENCRYPTION_KEY": ""}).startswith(
        "no encryption key is configured (LANA_ENCRYPTION_KEY)")
    assert ops.json("custody", "custodian", "webhooks") == []
    assert ops.as_(None).refused("custody", "wallet", "list") == "say who is acting: --as EMAIL (or set LANA_USER)"

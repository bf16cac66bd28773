"""``lana report`` and ``lana config``: report runs requested by operators, business settings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.e2e.cli import new_customer


def test_a_report_run_is_requested_and_followed(root):
    definitions = {d["id"]: d for d in root.json("report", "definitions")}
    saldo = definitions["nrp_91/saldo_cuenta"]
    assert saldo["as_of"] is True and saldo["outputs"] == ["xml", "csv"]
    yesterday = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
    run = root.json("report", "request", "nrp_91/saldo_cuenta", "--as-of", yesterday)
    assert (run["definition_id"], run["as_of_date"], run["status"], run["trigger"]) == (
        "nrp_91/saldo_cuenta", yesterday, "pending", "manual")
    assert root.json("report", "show", run["id"]) == run
    assert [r["id"] for r in root.json("report", "runs", "--status", "pending")] == [run["id"]]
    assert root.json("report", "runs", "--status", "completed") == []
    assert root.refused("report", "request", "nrp_91/saldo_cuenta") == (
        "report nrp_91/saldo_cuenta needs an as-of date")
    assert root.refused("report", "request", "no/such") == (
        "there is no report 'no/such' (see `lana report definitions`)")


def test_a_setting_changes_what_the_bank_allows(root):
    assert root.json("config", "list") == [{
        "key": "customer.require-verification", "value": False, "type": "bool", "default": False,
        "description": "Deposit accounts and credit facilities may only be opened for verified customers.",
    }]
    assert root.json("config", "set", "customer.require-verification", "true")["value"] is True
    customer = new_customer(root)
    assert root.refused("deposit", "open", customer["id"]) == (
        "customer jane@example.com is not verified (KYC: pending_verification) and verification is required")
    assert root.refused("config", "set", "customer.require-verification", "maybe") == (
        "customer.require-verification takes true or false, got 'maybe'")
    assert root.refused("config", "set", "no.such", "1") == (
        "unknown setting 'no.such' (known: customer.require-verification)")
    root.json("config", "set", "customer.require-verification", "off")
    assert root.json("deposit", "open", customer["id"])["status"] == "active"

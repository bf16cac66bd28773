"""``lana setup`` and ``lana access``: operators act as themselves, within their roles."""

from __future__ import annotations

import json

from tests.e2e.cli import ROOT, lana


def test_setup_is_safe_to_repeat_and_makes_a_superuser_with_every_permission_set(env):
    first = lana("setup", "--superuser", ROOT, env=env)
    assert "chart of accounts: default chart loaded (106 nodes)" in first.stderr
    again = lana("setup", "--superuser", ROOT, env=env)
    assert "chart of accounts: already loaded" in again.stderr and f"superuser: {ROOT}" in again.stderr

    root = json.loads(lana("--as", ROOT, "access", "user", "show", ROOT, "--format", "json", env=env).stdout)
    assert root["roles"] == ["superuser"]
    roles = {r["name"]: r for r in json.loads(lana("--as", ROOT, "access", "role", "list", "--format", "json",
                                                   env=env).stdout)}
    assert set(roles) == {"accountant", "admin", "bank-manager", "superuser"}
    assert all(r["predefined"] for r in roles.values())
    sets = json.loads(lana("--as", ROOT, "access", "permission-sets", "--format", "json", env=env).stdout)
    deposit_writer = next(s for s in sets if s["name"] == "deposit_writer")
    assert {"object": "deposit/deposit/*", "action": "deposit:deposit:create"} in deposit_writer["permissions"]
    assert set(roles["superuser"]["permission_sets"]) == {s["name"] for s in sets}


def test_a_command_without_an_operator_is_refused(root):
    nobody = root.as_(None)
    assert nobody.refused("customer", "list") == "say who is acting: --as EMAIL (or set LANA_USER)"
    assert nobody.refused("ledger", "check") == "say who is acting: --as EMAIL (or set LANA_USER)"
    assert root.as_("stranger@bank.example").refused("customer", "list") == "there is no user stranger@bank.example"
    # LANA_USER names the operator too.
    assert nobody.json("customer", "list", env={"LANA_USER": ROOT}) == []


def test_an_operator_without_permission_is_refused_in_one_line_and_the_refusal_is_audited(root):
    clerk = root.json("access", "user", "create", "clerk@bank.example", "--name", "Carl Clerk", "--role", "accountant")
    assert clerk["roles"] == ["accountant"] and clerk["name"] == "Carl Clerk"
    as_clerk = root.as_("clerk@bank.example")

    message = as_clerk.refused("customer", "create", "--email", "x@example.com", "--type", "individual",
                               "--first-name", "X", "--last-name", "Y")
    assert message == "clerk@bank.example may not customer:customer:create (customer/customer/*)"
    assert as_clerk.json("customer", "list") == []  # an accountant reads customers
    denied = root.json("access", "audit", "--subject", "clerk@bank.example", "--outcome", "denied")
    assert [(e["action"], e["outcome"], e["reason"]) for e in denied] == [
        ("customer:customer:create", "denied", message)
    ]

    # A new role takes effect at once, and so does revoking it.
    teller = root.json("access", "role", "create", "teller", "--permission-set", "customer_viewer")
    assert teller["permission_sets"] == ["customer_viewer"] and teller["predefined"] is False
    root.json("access", "role", "add-permission-set", "teller", "customer_writer")
    assert root.json("access", "user", "assign-role", "clerk@bank.example", "teller")["roles"] == [
        "accountant", "teller"]
    created = as_clerk.json("customer", "create", "--email", "x@example.com", "--type", "individual",
                            "--first-name", "X", "--last-name", "Y")
    assert created["email"] == "x@example.com"
    root.json("access", "user", "revoke-role", "clerk@bank.example", "teller")
    assert "may not customer:customer:freeze" in as_clerk.refused("customer", "freeze", created["id"], "--reason", "r")

    assert "predefined role" in root.refused("access", "role", "add-permission-set", "accountant", "audit_viewer")
    assert "unknown permission set(s): nope" in root.refused("access", "role", "create", "other",
                                                             "--permission-set", "nope")
    users = root.json("access", "user", "list")
    assert [(u["email"], u["roles"]) for u in users] == [("clerk@bank.example", ["accountant"]), (ROOT, ["superuser"])]

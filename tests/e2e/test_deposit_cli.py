"""``lana deposit`` and ``lana governance``: money in, money out under a committee's approval,
freezes, and the worker that applies what operations leave for it."""

from __future__ import annotations

from tests.e2e.cli import lana, new_account


def test_an_account_takes_deposits_in_dollars_and_a_mistaken_one_is_reverted(root):
    customer, account = new_account(root)
    assert (account["status"], account["holder_id"]) == ("active", customer["id"])
    first = root.json("deposit", "record", account["id"], "1250.50", "--reference", "WIRE-1")
    assert (first["amount"], first["unit"], first["reference"], first["status"]) == (125050, "cents", "WIRE-1",
                                                                                   "confirmed")
    mistake = root.json("deposit", "record", account["id"], "1,000", "--effective-date", "2026-01-15")
    assert mistake["amount"] == 100000 and mistake["reference"].startswith("DEP-")
    assert root.json("deposit", "revert", mistake["id"])["status"] == "reverted"
    assert root.refused("deposit", "revert", mistake["id"]) == f"deposit {mistake['reference']} is already reverted"

    shown = root.json("deposit", "show", account["id"])
    assert shown["balance"] == {"account_id": account["id"], "settled": 125050, "pending": 0, "frozen": 0,
                                "available": 125050, "unit": "cents"}
    history = root.json("deposit", "history", account["id"])
    assert [(h["template_code"], h["amount"]) for h in history] == [
        ("REVERT_DEPOSIT", -100000), ("RECORD_DEPOSIT", 100000), ("RECORD_DEPOSIT", 125050)]
    assert history[1]["effective_date"] == "2026-01-15"
    assert [(d["reference"], d["status"]) for d in root.json("deposit", "deposits", account["id"])] == [
        ("WIRE-1", "confirmed"), (mistake["reference"], "reverted")]
    assert [a["id"] for a in root.json("deposit", "list", "--customer", customer["id"])] == [account["id"]]

    assert root.refused("deposit", "record", account["id"], "1.005") == "1.005 USD has more than 2 decimal places"
    assert root.refused("deposit", "close", account["id"]).startswith("deposit account DA-")


def test_a_withdrawal_waits_for_two_approvals_of_three_and_is_then_confirmed(root):
    for email in ("ana@bank.example", "ben@bank.example", "cruz@bank.example"):
        root.json("access", "user", "create", email, "--role", "bank-manager")
    committee = root.json("governance", "committee", "create", "Withdrawals", "--member", "ana@bank.example",
                          "--member", "ben@bank.example", "--member", "cruz@bank.example")
    assert len(committee["members"]) == 3
    policy = root.json("governance", "policy", "set", "withdraw", "--committee", "withdrawals", "--threshold", "2")
    assert (policy["committee_id"], policy["threshold"]) == (committee["id"], 2)
    _, account = new_account(root, deposit="1000")

    withdrawal = root.json("deposit", "withdraw", account["id"], "250.25", "--reference", "PAYOUT-1")
    assert (withdrawal["status"], withdrawal["amount"], withdrawal["unit"]) == ("pending_approval", 25025, "cents")
    assert root.json("deposit", "balance", account["id"])["settled"] == 74975  # reserved at once
    process_id = withdrawal["approval_process_id"]
    assert root.refused("deposit", "confirm-withdrawal", withdrawal["id"]) == (
        "withdrawal PAYOUT-1 is still waiting for approval")

    ana, ben = root.as_("ana@bank.example"), root.as_("ben@bank.example")
    after_one = ana.json("governance", "approve", process_id)
    assert (after_one["status"], len(after_one["approvals"])) == ("in_progress", 1)
    assert ana.refused("governance", "approve", process_id) == "each member votes once; you already approved"
    assert root.refused("governance", "approve", process_id) == "only members of Withdrawals may vote on this process"
    assert ben.json("governance", "approve", process_id)["status"] == "approved"

    assert root.json("deposit", "withdrawal", withdrawal["id"])["status"] == "pending_confirmation"
    confirmed = root.json("deposit", "confirm-withdrawal", withdrawal["id"])
    assert confirmed["status"] == "confirmed" and len(confirmed["ledger_transaction_ids"]) == 2
    balance = root.json("deposit", "balance", account["id"])
    assert (balance["settled"], balance["pending"]) == (74975, 0)

    # One denial ends the next one, and the reserved funds come back.
    second = root.json("deposit", "withdraw", account["id"], "100")
    denied = root.as_("cruz@bank.example").json("governance", "deny", second["approval_process_id"],
                                                "--reason", "unusual destination")
    assert (denied["status"], denied["denial_reason"]) == ("denied", "unusual destination")
    assert root.json("deposit", "balance", account["id"])["settled"] == 74975
    processes = root.json("governance", "process", "list", "--type", "withdraw")
    assert [p["status"] for p in processes] == ["approved", "denied"]
    withdrawals = root.json("deposit", "withdrawals", "--account", account["id"])
    assert [(w["reference"], w["status"], w["denial_reason"]) for w in withdrawals] == [
        ("PAYOUT-1", "confirmed", None), (second["reference"], "denied", "unusual destination")]


def test_freezing_a_customer_freezes_their_account_and_its_funds_until_unfrozen(root):
    customer, account = new_account(root, deposit="500")
    assert root.json("customer", "freeze", customer["id"], "--reason", "court order")["status"] == "frozen"
    frozen = root.json("deposit", "show", account["id"])
    assert frozen["status"] == "frozen"
    assert (frozen["balance"]["settled"], frozen["balance"]["frozen"]) == (0, 50000)
    assert root.refused("deposit", "record", account["id"], "10") == f"deposit account {account['reference']} is frozen"

    assert root.json("customer", "unfreeze", customer["id"])["status"] == "active"
    back = root.json("deposit", "show", account["id"])
    assert back["status"] == "active" and back["balance"]["settled"] == 50000

    # An account alone, and all of a customer's accounts at once.
    assert root.json("deposit", "freeze", account["id"], "--reason", "fraud check")["status"] == "frozen"
    assert root.json("deposit", "unfreeze", account["id"])["status"] == "active"
    changed = root.json("deposit", "set-customer-status", customer["id"], "--frozen", "--reason", "audit")
    assert [a["status"] for a in changed] == ["frozen"]
    assert [a["status"] for a in root.json("deposit", "set-customer-status", customer["id"], "--active")] == ["active"]


def test_the_worker_applies_what_operations_leave_for_it(root):
    later = {"LANA_INLINE_CONSUMERS": "0"}
    customer, account = new_account(root, deposit="80")
    root.json("customer", "freeze", customer["id"], "--reason", "sanctions screening", env=later)
    assert root.json("deposit", "show", account["id"])["status"] == "active"  # not yet

    ran = lana("worker", "run", "--once", env=root.env)
    assert "deposit.customer-status: 1 message(s) processed" in ran.stderr
    assert root.json("deposit", "show", account["id"])["status"] == "frozen"
    status = {r["consumer"]: r for r in root.as_(None).json("worker", "status")}
    assert status["deposit.customer-status"]["processed"] == 1
    assert status["deposit.customer-status"]["last_error"] is None
    again = lana("worker", "run", "--once", env=root.env)
    assert "deposit.customer-status: 0 message(s) processed" in again.stderr

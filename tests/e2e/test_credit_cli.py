"""``lana credit`` and ``lana jobs``: an operator sets a price, proposes a facility from a
terms template, the customer accepts, collateral activates it, refusals come in one line, and
the end of day runs once per day."""

from __future__ import annotations

from datetime import date, timedelta

from tests.e2e.cli import new_account


def publish_manual_price(root, dollars: str) -> None:
    root.run("price", "provider", "set-price", "manual", dollars)
    root.run("price", "provider", "deactivate", "bitfinex")
    root.run("price", "provider", "activate", "manual")
    root.run("price", "fetch")


def test_a_facility_from_template_to_activation_then_the_end_of_day(root):
    publish_manual_price(root, "60,000")
    customer, account = new_account(root, deposit="5,000")
    template = root.json("credit", "terms-template", "create", "standard", "--months", "3", "--fee", "1")
    assert (template["name"], template["values"]["duration_months"]) == ("standard", 3)
    assert root.refused("credit", "terms-template", "create", "broken", "--margin-call-cvl", "150") == (
        "invalid terms: the initial CVL (140) must be above the margin-call CVL (150)")

    facility = root.json("credit", "propose", customer["id"], "10,000", "--template", "standard")
    assert (facility["status"], facility["amount"]) == ("pending_customer_approval", 1_000_000)
    facility = root.json("credit", "customer-accepts", facility["id"])
    facility = root.json("credit", "show", facility["id"])
    assert facility["status"] == "pending_collateralization"  # the default policy approves at once

    facility = root.json("credit", "collateral", facility["id"], "0.25")
    assert (facility["status"], facility["collateral_sats"], facility["state"]) == (
        "active", 25_000_000, "fully_collateralized")
    assert root.json("deposit", "show", account["id"])["balance"]["settled"] == 1_490_000
    root.run("price", "provider", "set-price", "manual", "55,000")
    root.run("price", "fetch")  # 0.25 BTC = $13,750: 137 %, still fully collateralized
    shown = root.json("credit", "show", facility["id"])
    assert (shown["state"], shown["cvl"]) == ("fully_collateralized", "150")  # when that state began
    assert (shown["balances"]["cvl"], shown["balances"]["price_cents_per_btc"]) == ("137", 5_500_000)
    obligations = root.json("credit", "obligations", facility["id"])
    assert [(o["kind"], o["amount"], o["status"]) for o in obligations] == [("disbursal", 1_000_000, "not_yet_due")]

    assert root.refused("credit", "pay", facility["id"], "20,000") == (
        "the payment (2000000 cents) exceeds what is owed now (1000000 cents)")
    assert root.refused("credit", "disburse", facility["id"], "100") == (
        "this facility's single disbursal was paid out at activation")
    assert root.refused("credit", "collateral", facility["id"], "0.1") == (
        "with 10000000 sats the CVL would be 55 %, under the margin call of 125 %")

    today = date.today()
    assert root.refused("jobs", "run", "end-of-day", "--date", today.isoformat(), "--no-price") == (
        f"{today} has not ended yet (today is {today})")
    first = root.json("jobs", "run", "end-of-day", "--no-price")
    assert (first["day"], first["credit"]["facilities"], first["failures"]) == (
        (today - timedelta(days=1)).isoformat(), 1, [])
    runs = root.json("jobs", "runs")
    assert [(r["job"], r["outcome"]) for r in runs][:1] == [("end-of-day", "completed")]

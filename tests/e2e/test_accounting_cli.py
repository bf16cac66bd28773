"""``lana accounting`` and ``lana ledger`` through the business core: manual transactions,
month closes, statements and the ledger's own checks, all as an operator."""

from __future__ import annotations

from datetime import datetime, timezone



def test_a_manual_transaction_is_posted_and_its_month_closed(root):
    year = datetime.now(timezone.utc).year - 1  # a year whose months have all ended
    january = f"{year}-01-20"
    posted = root.json("accounting", "manual-transaction", "--description", "Capital paid in",
                       "--effective-date", january, "--reference", "CAP-1",
                       "--line", "11.01:debit:5000.25", "--line", "31.01:credit:5000.25:USD:founders' shares")
    assert (posted["reference"], posted["effective_date"]) == ("CAP-1", january)
    assert posted["lines"] == [
        {"account": "11.01", "direction": "debit", "amount": 500025, "currency": "USD", "description": None,
         "unit": "cents"},
        {"account": "31.01", "direction": "credit", "amount": 500025, "currency": "USD",
         "description": "founders' shares", "unit": "cents"},
    ]
    # The same reference again is the same transaction, not a second one.
    assert root.json("accounting", "manual-transaction", "--description", "Capital paid in",
                     "--effective-date", january, "--reference", "CAP-1", "--line", "11.01:debit:5000.25",
                     "--line", "31.01:credit:5000.25:USD:founders' shares")["id"] == posted["id"]
    btc = root.json("accounting", "manual-transaction", "--description", "Coins received",
                    "--effective-date", january, "--line", "11.01:debit:0.5:BTC", "--line", "31.01:credit:0.5:btc")
    assert btc["lines"][0]["amount"] == 50_000_000 and btc["lines"][0]["unit"] == "sats"

    tx = root.json("ledger", "transaction", posted["ledger_transaction_id"])
    assert [(e["account_code"], e["direction"], e["amount"]) for e in tx["entries"]] == [
        ("MANUAL.11.01", "debit", 500025), ("MANUAL.31.01", "credit", 500025)]
    tb = root.json("accounting", "trial-balance", "--from", f"{year}-01-01", "--to", f"{year}-01-31")
    assert tb["totals"]["debits"] == tb["totals"]["credits"] == 500025 and tb["totals"]["balanced"]
    cash = root.json("ledger", "balance", "11", "--as-of", f"{year}-01-31", "--currency", "BTC")
    assert (cash["settled"], cash["unit"]) == (50_000_000, "sats")
    assert [m["reference"] for m in root.json("accounting", "manual-transactions")][0] == "CAP-1"

    assert root.refused("accounting", "manual-transaction", "--description", "x", "--line", "11.01:debit:1",
                        "--line", "31.01:credit:2") == (
        "debits and credits differ in USD (settled layer): debits minus credits = -100")
    assert root.refused("accounting", "manual-transaction", "--description", "x", "--line", "11.01:sideways:1",
                        "--line", "31.01:credit:1") == (
        "--line '11.01:sideways:1': the side is debit or credit, got 'sideways'")

    # Months close in order; a closed month takes no more postings.
    assert root.json("accounting", "fiscal-year", "open", str(year))["months_closed"] == 0
    assert root.json("accounting", "fiscal-year", "close-month", str(year), "1")["months_closed"] == 1
    assert root.refused("accounting", "manual-transaction", "--description", "late", "--effective-date", january,
                        "--line", "62.01:debit:1", "--line", "11.01:credit:1") == (
        f"effective date {january} falls in a closed period: journal MAIN is closed through {year}-01-31")
    assert root.refused("accounting", "fiscal-year", "close", str(year)) == (
        f"close January to November first: 1 month(s) of {year} closed")
    assert [(f["year"], f["months_closed"], f["closed"]) for f in root.json("accounting", "fiscal-year", "list")] == [
        (year, 1, False)]

    check = root.json("ledger", "check")
    assert check == {"ok": True, "transactions": 2, "entries": 4, "violations": []}


def test_the_books_are_closed_to_an_operator_without_accounting_permissions(root):
    root.json("access", "role", "create", "auditor", "--permission-set", "audit_viewer")
    root.json("access", "user", "create", "auditor@bank.example", "--role", "auditor")
    root.json("access", "user", "create", "accountant@bank.example", "--role", "accountant")
    auditor = root.as_("auditor@bank.example")
    assert auditor.refused("accounting", "chart") == (
        "auditor@bank.example may not accounting:chart:read (accounting/chart/*)")
    assert auditor.refused("ledger", "check") == (
        "auditor@bank.example may not accounting:ledger:read (accounting/ledger/*)")
    accountant = root.as_("accountant@bank.example")
    assert len(accountant.json("accounting", "chart")) == 106
    assert accountant.json("accounting", "fiscal-year", "open", "2025")["year"] == 2025
    # Importing the chart again (it is there since setup) adds nothing.
    imported = accountant.run("accounting", "import-chart", "--default")
    assert "0 nodes created, 106 already present" in imported.stderr

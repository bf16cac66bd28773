"""Accounting: the chart of accounts on top of the ledger, and the financial statements."""

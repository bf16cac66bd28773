"""Deposits: customers' USD accounts, deposits, withdrawals (with approval) and account status."""

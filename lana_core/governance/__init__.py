"""Governance: committees, approval policies and approval processes (multi-party sign-off)."""

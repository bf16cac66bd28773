"""Lana: an open banking core for Bitcoin-backed lending.

Contexts live in their own packages (``ledger``, ``accounting``, ...); ``db`` holds the
PostgreSQL plumbing and ``cli`` the operator's entry point.
"""

"""Custody: custodians (plugins behind one interface), the wallets holding collateral, webhooks."""

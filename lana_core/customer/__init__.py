"""Customers: their type, identity, KYC verification, status and documents."""

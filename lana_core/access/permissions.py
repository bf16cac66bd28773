"""What can be done in Lana: permission sets of (object, action) pairs, and the predefined roles.

Objects are ``module/entity/<id>`` (patterns end in ``*``); actions are ``module:entity:verb``.
A user holds roles, a role holds permission sets, a permission set grants actions on objects
(LANA_DOMAIN §5). The set names follow Lana's; a set with no actions yet (contracts,
dashboards, payment dates) belongs to a feature that comes later and already has its place in
the roles.
"""

from __future__ import annotations

from collections.abc import Iterable

Permission = tuple[str, str]  # (object pattern, action)


def _grants(obj: str, module_entity: str, verbs: Iterable[str]) -> list[Permission]:
    return [(obj, f"{module_entity}:{verb}") for verb in verbs]


PERMISSION_SETS: dict[str, list[Permission]] = {
    "access_viewer": [
        *_grants("access/user/*", "access:user", ["read", "list"]),
        *_grants("access/role/*", "access:role", ["read", "list"]),
        *_grants("access/permission-set/*", "access:permission-set", ["list"]),
    ],
    "access_writer": [
        *_grants("access/user/*", "access:user", ["create", "assign-role", "revoke-role"]),
        *_grants("access/role/*", "access:role", ["create", "update"]),
    ],
    "audit_viewer": _grants("audit/audit/*", "audit:audit", ["list"]),
    "accounting_viewer": [
        *_grants("accounting/chart/*", "accounting:chart", ["read"]),
        *_grants("accounting/ledger/*", "accounting:ledger", ["read", "export"]),
        *_grants("accounting/statement/*", "accounting:statement", ["read"]),
        *_grants("accounting/manual-transaction/*", "accounting:manual-transaction", ["read", "list"]),
        *_grants("accounting/fiscal-year/*", "accounting:fiscal-year", ["read", "list"]),
    ],
    "accounting_writer": [
        *_grants("accounting/chart/*", "accounting:chart", ["import"]),
        *_grants("accounting/manual-transaction/*", "accounting:manual-transaction", ["create"]),
        *_grants("accounting/fiscal-year/*", "accounting:fiscal-year", ["open", "close-month", "close-year"]),
    ],
    "customer_viewer": [
        *_grants("customer/customer/*", "customer:customer", ["read", "list"]),
        *_grants("customer/document/*", "customer:document", ["read", "list"]),
    ],
    "customer_writer": [
        *_grants("customer/customer/*", "customer:customer",
                 ["create", "update", "freeze", "unfreeze", "close"]),
        *_grants("customer/document/*", "customer:document", ["create", "archive", "delete"]),
    ],
    "deposit_viewer": [
        *_grants("deposit/deposit-account/*", "deposit:deposit-account",
                 ["read", "list", "read-balance", "read-tx-history"]),
        *_grants("deposit/deposit/*", "deposit:deposit", ["read", "list"]),
        *_grants("deposit/withdrawal/*", "deposit:withdrawal", ["read", "list"]),
    ],
    "deposit_writer": [
        *_grants("deposit/deposit-account/*", "deposit:deposit-account", ["create", "update-status", "close"]),
        *_grants("deposit/deposit/*", "deposit:deposit", ["create", "revert"]),
        *_grants("deposit/withdrawal/*", "deposit:withdrawal", ["initiate", "confirm", "cancel", "revert"]),
    ],
    "deposit_freeze": _grants("deposit/deposit-account/*", "deposit:deposit-account", ["freeze"]),
    "deposit_unfreeze": _grants("deposit/deposit-account/*", "deposit:deposit-account", ["unfreeze"]),
    "governance_viewer": [
        *_grants("governance/committee/*", "governance:committee", ["read", "list"]),
        *_grants("governance/policy/*", "governance:policy", ["read", "list"]),
        *_grants("governance/approval-process/*", "governance:approval-process", ["read", "list"]),
    ],
    "governance_writer": [
        *_grants("governance/committee/*", "governance:committee", ["create", "add-member", "remove-member"]),
        *_grants("governance/policy/*", "governance:policy", ["update-rules"]),
        *_grants("governance/approval-process/*", "governance:approval-process", ["vote"]),
    ],
    "report_viewer": [
        *_grants("report/report-definition/*", "report:report-definition", ["list"]),
        *_grants("report/report-run/*", "report:report-run", ["read", "list"]),
    ],
    "report_writer": _grants("report/report-run/*", "report:report-run", ["create"]),
    "exposed_config_viewer": _grants("config/exposed-config/*", "config:exposed-config", ["read"]),
    "exposed_config_writer": _grants("config/exposed-config/*", "config:exposed-config", ["update"]),
    "all_config_writer": [],
    "collection_viewer": [
        *_grants("credit/obligation/*", "credit:obligation", ["list"]),
        *_grants("credit/payment/*", "credit:payment", ["list"]),
    ],
    "collection_writer": _grants("credit/payment/*", "credit:payment", ["create"]),
    "collection_payment_date": [],
    "contract_creation": [],
    "credit_viewer": [
        *_grants("credit/credit-facility/*", "credit:credit-facility", ["read", "list"]),
        *_grants("credit/disbursal/*", "credit:disbursal", ["list"]),
        *_grants("credit/liquidation/*", "credit:liquidation", ["list"]),
    ],
    "credit_writer": [
        *_grants("credit/credit-facility/*", "credit:credit-facility",
                 ["create", "customer-approve", "update-collateral", "complete"]),
        *_grants("credit/disbursal/*", "credit:disbursal", ["initiate"]),
        *_grants("credit/liquidation/*", "credit:liquidation", ["record-collateral-sent", "record-proceeds"]),
    ],
    "credit_term_templates_viewer": _grants("credit/terms-template/*", "credit:terms-template", ["list"]),
    "credit_term_templates_writer": _grants("credit/terms-template/*", "credit:terms-template", ["create", "update"]),
    "custody_viewer": [
        *_grants("custody/custodian/*", "custody:custodian", ["read", "list"]),
        *_grants("custody/wallet/*", "custody:wallet", ["read", "list"]),
    ],
    "custody_writer": [
        *_grants("custody/custodian/*", "custody:custodian",
                 ["create", "rotate-secrets", "activate", "deactivate"]),
        *_grants("custody/wallet/*", "custody:wallet", ["create", "set-simulated-balance"]),
    ],
    "dashboard_viewer": [],
    "price_viewer": [
        *_grants("price/price/*", "price:price", ["read", "list"]),
        *_grants("price/provider/*", "price:provider", ["read", "list"]),
    ],
    "price_writer": [
        *_grants("price/price/*", "price:price", ["fetch"]),
        *_grants("price/provider/*", "price:provider", ["create", "update", "activate", "deactivate"]),
    ],
}

SUPERUSER_ROLE = "superuser"

PREDEFINED_ROLES: dict[str, list[str]] = {
    SUPERUSER_ROLE: sorted(PERMISSION_SETS),
    "admin": sorted(
        s for s in PERMISSION_SETS
        if s not in {"price_viewer", "price_writer", "contract_creation", "all_config_writer"}
    ),
    "bank-manager": [
        "accounting_viewer", "accounting_writer", "audit_viewer", "credit_viewer", "credit_writer",
        "collection_viewer", "collection_writer", "collection_payment_date", "customer_viewer",
        "customer_writer", "dashboard_viewer", "deposit_viewer", "deposit_writer", "deposit_freeze",
        "deposit_unfreeze", "governance_viewer", "governance_writer", "access_viewer", "report_viewer",
        "report_writer",
    ],
    "accountant": [
        "accounting_viewer", "accounting_writer", "audit_viewer", "credit_viewer", "collection_viewer",
        "customer_viewer", "dashboard_viewer", "deposit_viewer", "governance_viewer", "access_viewer",
    ],
}

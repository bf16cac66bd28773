"""The deposit module's side of the ledger: its account sets, accounts and templates.

Each customer type has a set for its customers' deposit accounts and one for their frozen
funds; the sets hang under the chart nodes of CHART_MAPPING, so statements roll them up there.
The omnibus account is the bank's side of every deposit and withdrawal (its cash at banks).
"""

from __future__ import annotations

from uuid import UUID

from lana_core.customer.domain import CustomerType
from lana_core.errors import LanaError
from lana_core.ledger import (
    Direction,
    Layer,
    Ledger,
    moving_amount,
)

OMNIBUS = "DEPOSIT.OMNIBUS"

# Chart node for each customer type's deposits, and for frozen deposits (the default chart's codes).
CHART_MAPPING: dict[str, str] = {
    OMNIBUS: "11.02",
    **{f"DEPOSIT.SET.{t.name}": code for t, code in {
        CustomerType.INDIVIDUAL: "21.01.0101",
        CustomerType.PRIVATE_COMPANY: "21.01.0102",
        CustomerType.BANK: "21.01.0103",
        CustomerType.FINANCIAL_INSTITUTION: "21.01.0104",
        CustomerType.GOVERNMENT_ENTITY: "21.01.0105",
        CustomerType.NON_DOMICILED_COMPANY: "21.01.0106",
        CustomerType.FOREIGN_AGENCY_OR_SUBSIDIARY: "21.01.0107",
    }.items()},
    **{f"DEPOSIT.FROZEN.SET.{t.name}": "21.02" for t in CustomerType},
}


def deposit_set(customer_type: CustomerType) -> str:
    return f"DEPOSIT.SET.{CustomerType(customer_type).name}"


def frozen_set(customer_type: CustomerType) -> str:
    return f"DEPOSIT.FROZEN.SET.{CustomerType(customer_type).name}"


def ensure_module_accounts(ledger: Ledger) -> None:
    """Create the omnibus account and the per-type sets under the chart (idempotent). Needs
    the chart of accounts to be loaded."""
    for code, node in CHART_MAPPING.items():
        if ledger.find_account_set(node) is None:
            raise LanaError(f"chart node {node} is missing: load the chart of accounts first")
        if code == OMNIBUS:
            if ledger.find_account(OMNIBUS) is None:
                ledger.create_account(OMNIBUS, "Deposit omnibus (cash held for customers)", Direction.DEBIT,
                                      member_of=[node])
        elif ledger.find_account_set(code) is None:
            label = code.removeprefix("DEPOSIT.").replace(".SET.", " ").replace("_", " ").lower()
            ledger.create_account_set(code, f"Deposits: {label}", Direction.CREDIT, member_of=[node])


def open_ledger_accounts(ledger: Ledger, account_id: UUID, frozen_id: UUID, customer_type: CustomerType,
                         holder_name: str) -> None:
    ledger.create_account(
        f"DEPOSIT.{account_id}", f"Deposit account of {holder_name}", Direction.CREDIT,
        prevent_overdraft=True, external_id=f"deposit_account:{account_id}", id=account_id,
        member_of=[deposit_set(customer_type)],
    )
    ledger.create_account(
        f"DEPOSIT.FROZEN.{account_id}", f"Frozen deposits of {holder_name}", Direction.CREDIT,
        prevent_overdraft=True, external_id=f"frozen_deposit_account:{account_id}", id=frozen_id,
        member_of=[frozen_set(customer_type)],
    )


DR, CR = Direction.DEBIT, Direction.CREDIT
SETTLED, PENDING = Layer.SETTLED, Layer.PENDING

RECORD_DEPOSIT = moving_amount("RECORD_DEPOSIT", "Deposit {reference}",
                               [("omnibus", DR, SETTLED), ("deposit", CR, SETTLED)])
REVERT_DEPOSIT = moving_amount("REVERT_DEPOSIT", "Deposit reverted {reference}",
                               [("deposit", DR, SETTLED), ("omnibus", CR, SETTLED)])
# Initiation reserves at once: the settled balance drops; the pending layer holds the amount in flight.
INITIATE_WITHDRAW = moving_amount("INITIATE_WITHDRAW", "Withdrawal requested {reference}", [
    ("deposit", DR, SETTLED), ("omnibus", CR, SETTLED),
    ("omnibus", DR, PENDING), ("deposit", CR, PENDING),
])
CONFIRM_WITHDRAW = moving_amount("CONFIRM_WITHDRAW", "Withdrawal paid out {reference}",
                                 [("deposit", DR, PENDING), ("omnibus", CR, PENDING)])
CANCEL_WITHDRAW = moving_amount("CANCEL_WITHDRAW", "Withdrawal cancelled {reference}", [
    ("deposit", DR, PENDING), ("omnibus", CR, PENDING),
    ("omnibus", DR, SETTLED), ("deposit", CR, SETTLED),
])
DENY_WITHDRAW = moving_amount("DENY_WITHDRAW", "Withdrawal denied {reference}", [
    ("deposit", DR, PENDING), ("omnibus", CR, PENDING),
    ("omnibus", DR, SETTLED), ("deposit", CR, SETTLED),
])
REVERT_WITHDRAW = moving_amount("REVERT_WITHDRAW", "Withdrawal reverted {reference}",
                                [("omnibus", DR, SETTLED), ("deposit", CR, SETTLED)])
FREEZE_ACCOUNT = moving_amount("FREEZE_ACCOUNT", "Account frozen {reference}",
                               [("deposit", DR, SETTLED), ("frozen", CR, SETTLED)])
UNFREEZE_ACCOUNT = moving_amount("UNFREEZE_ACCOUNT", "Account unfrozen {reference}",
                                 [("frozen", DR, SETTLED), ("deposit", CR, SETTLED)])

"""The credit module's side of the ledger: its bank-wide accounts, each facility's accounts, and
the templates every credit step posts (LANA_DOMAIN §6.3).

A facility's accounts are named ``CREDIT.<facility id>.<ROLE>``. The off-balance ones track the
undrawn commitment, the outstanding not yet covered by payments, and the bitcoin collateral;
the receivables sit under the chart node of the customer's type and of the loan's term (short or
long), moving to the overdue and defaulted nodes as obligations age.
"""

from __future__ import annotations

from uuid import UUID

from lana_core.customer.domain import CustomerType
from lana_core.errors import LanaError
from lana_core.ledger import (
    Direction,
    EntryTemplate,
    Layer,
    Ledger,
    Param,
    ParamType,
    Ref,
    TransactionTemplate,
    moving_amount,
)
from lana_core.money import Currency

# Bank-wide accounts: code -> (name, normal balance, chart node)
MODULE_ACCOUNTS: dict[str, tuple[str, Direction, str]] = {
    "CREDIT.FACILITY_OMNIBUS": ("Credit facility commitments (contra)", Direction.DEBIT, "71.01"),
    "CREDIT.INTEREST_ADDED_OMNIBUS": ("Interest added to obligations (contra)", Direction.DEBIT, "71.02"),
    "CREDIT.COLLATERAL_OMNIBUS": ("Collateral pledged (contra)", Direction.DEBIT, "72.01"),
    # The cash a sale of collateral brings in, until it settles with the bank's other cash.
    "CREDIT.LIQUIDATION_PROCEEDS_OMNIBUS": ("Liquidation proceeds received", Direction.DEBIT, "11.03"),
    "CREDIT.PAYMENTS_OMNIBUS": ("Payments received on facilities", Direction.CREDIT, "81.03"),
    "CREDIT.INTEREST_INCOME": ("Interest on bitcoin-backed loans", Direction.CREDIT, "41.01"),
    "CREDIT.FEE_INCOME": ("Loan structuring fees", Direction.CREDIT, "42.01"),
}
FACILITY_OMNIBUS = "CREDIT.FACILITY_OMNIBUS"
INTEREST_ADDED_OMNIBUS = "CREDIT.INTEREST_ADDED_OMNIBUS"
COLLATERAL_OMNIBUS = "CREDIT.COLLATERAL_OMNIBUS"
PROCEEDS_OMNIBUS = "CREDIT.LIQUIDATION_PROCEEDS_OMNIBUS"
PAYMENTS_OMNIBUS = "CREDIT.PAYMENTS_OMNIBUS"
INTEREST_INCOME = "CREDIT.INTEREST_INCOME"
FEE_INCOME = "CREDIT.FEE_INCOME"

_TYPE_DIGIT = {
    CustomerType.INDIVIDUAL: 1, CustomerType.PRIVATE_COMPANY: 2, CustomerType.BANK: 3,
    CustomerType.FINANCIAL_INSTITUTION: 4, CustomerType.GOVERNMENT_ENTITY: 5,
    CustomerType.NON_DOMICILED_COMPANY: 6, CustomerType.FOREIGN_AGENCY_OR_SUBSIDIARY: 7,
}


def account(facility_id: UUID, role: str) -> str:
    """The code of one of a facility's accounts, e.g. CREDIT.<id>.DISBURSED_DUE."""
    return f"CREDIT.{facility_id}.{role}"


def facility_accounts(customer_type: CustomerType, long_term: bool) -> dict[str, tuple[str, Direction, str, bool]]:
    """Each per-facility account: role -> (name, normal balance, chart node, overdraft prevented)."""
    term, digit = ("02", _TYPE_DIGIT[customer_type]) if long_term else ("01", _TYPE_DIGIT[customer_type])
    principal_node, interest_node = f"12.{term}.{term}{digit:02d}", f"13.{term}.{term}{digit:02d}"
    return {
        # The undrawn part of the facility: a disbursal beyond it would overdraw it.
        "FACILITY": ("Undrawn facility", Direction.CREDIT, "81.01", True),
        # Disbursed and billed, not yet paid: a payment beyond it would overdraw it.
        "UNCOVERED": ("Uncovered outstanding", Direction.CREDIT, "81.02", True),
        "PAYMENT_HOLDING": ("Payments being allocated", Direction.CREDIT, "11.03", False),
        # Owed back to the borrower until applied: it pays the facility, any surplus goes to
        # their deposit account. On the balance sheet, against the cash received: the sale of
        # collateral turns a receivable into cash, it creates no off-balance money.
        "PROCEEDS": ("Liquidation proceeds to apply", Direction.CREDIT, "22.04", False),
        "COLLATERAL": ("Bitcoin collateral held", Direction.CREDIT, "82.01", False),
        "COLLATERAL_IN_LIQUIDATION": ("Collateral in liquidation", Direction.CREDIT, "82.02", False),
        "LIQUIDATED_COLLATERAL": ("Liquidated collateral", Direction.CREDIT, "82.03", False),
        "DISBURSED_NOT_YET_DUE": ("Principal not yet due", Direction.DEBIT, principal_node, False),
        "DISBURSED_DUE": ("Principal due", Direction.DEBIT, principal_node, False),
        "DISBURSED_OVERDUE": ("Principal overdue", Direction.DEBIT, "12.03", False),
        "DISBURSED_DEFAULTED": ("Principal defaulted", Direction.DEBIT, "12.04", False),
        "INTEREST_NOT_YET_DUE": ("Interest not yet due", Direction.DEBIT, interest_node, False),
        "INTEREST_DUE": ("Interest due", Direction.DEBIT, interest_node, False),
        "INTEREST_OVERDUE": ("Interest overdue", Direction.DEBIT, "13.03", False),
        "INTEREST_DEFAULTED": ("Interest defaulted", Direction.DEBIT, "13.04", False),
    }


# Receivable accounts an obligation's outstanding sits in, by obligation status.
RECEIVABLE_ROLE = {
    "not_yet_due": "NOT_YET_DUE",
    "due": "DUE",
    "overdue": "OVERDUE",
    "liquidation": "OVERDUE",  # in liquidation, still overdue on the books
    "defaulted": "DEFAULTED",
}


def receivable(facility_id: UUID, kind: str, status: str) -> str:
    """The account holding an obligation's outstanding: e.g. CREDIT.<id>.INTEREST_OVERDUE."""
    prefix = "INTEREST" if kind == "interest" else "DISBURSED"
    return account(facility_id, f"{prefix}_{RECEIVABLE_ROLE[status]}")


def ensure_module_accounts(ledger: Ledger) -> None:
    for code, (name, normal, node) in MODULE_ACCOUNTS.items():
        if ledger.find_account(code) is None:
            if ledger.find_account_set(node) is None:
                raise LanaError(f"chart node {node} is missing: load the chart of accounts first")
            ledger.create_account(code, name, normal, member_of=[node])


def open_facility_accounts(ledger: Ledger, facility_id: UUID, customer_type: CustomerType, long_term: bool,
                           holder: str) -> None:
    for role, (name, normal, node, controlled) in facility_accounts(customer_type, long_term).items():
        ledger.create_account(
            account(facility_id, role), f"{name} - {holder}", normal, prevent_overdraft=controlled,
            external_id=f"credit_facility:{facility_id}:{role.lower()}", member_of=[node],
        )


DR, CR = Direction.DEBIT, Direction.CREDIT
SETTLED, PENDING = Layer.SETTLED, Layer.PENDING


CREATE_FACILITY = moving_amount("CREATE_CREDIT_FACILITY_PROPOSAL", "Facility approved {reference}",
                                [("omnibus", DR, PENDING), ("facility", CR, PENDING)])
ACTIVATE_FACILITY = moving_amount("ACTIVATE_CREDIT_FACILITY", "Facility activated {reference}", [
    ("facility", DR, PENDING), ("omnibus", CR, PENDING),
    ("omnibus", DR, SETTLED), ("facility", CR, SETTLED),
])
INITIAL_DISBURSAL = moving_amount("INITIAL_DISBURSAL", "Initial disbursal {reference}", [
    ("facility", DR, SETTLED), ("uncovered", CR, SETTLED),
    ("receivable", DR, SETTLED), ("deposit", CR, SETTLED),
])
INITIATE_DISBURSAL = moving_amount("INITIATE_CREDIT_FACILITY_DISBURSAL", "Disbursal requested {reference}", [
    ("facility", DR, SETTLED), ("uncovered", CR, SETTLED),
    ("uncovered", DR, PENDING), ("facility", CR, PENDING),
])
CONFIRM_DISBURSAL = moving_amount("CONFIRM_DISBURSAL", "Disbursal paid out {reference}", [
    ("facility", DR, PENDING), ("uncovered", CR, PENDING),
    ("receivable", DR, SETTLED), ("deposit", CR, SETTLED),
])
CANCEL_DISBURSAL = moving_amount("CANCEL_DISBURSAL", "Disbursal cancelled {reference}", [
    ("facility", DR, PENDING), ("uncovered", CR, PENDING),
    ("uncovered", DR, SETTLED), ("facility", CR, SETTLED),
])
ADD_STRUCTURING_FEE = moving_amount("ADD_STRUCTURING_FEE", "Structuring fee {reference}",
                                    [("deposit", DR, SETTLED), ("fee_income", CR, SETTLED)])
ACCRUE_INTEREST = moving_amount("CREDIT_FACILITY_ACCRUE_INTEREST", "Interest accrued {reference}",
                                [("receivable", DR, PENDING), ("income", CR, PENDING)])
POST_ACCRUED_INTEREST = moving_amount("CREDIT_FACILITY_POST_ACCRUED_INTEREST", "Interest billed {reference}", [
    ("income", DR, PENDING), ("receivable", CR, PENDING),
    ("receivable", DR, SETTLED), ("income", CR, SETTLED),
    ("interest_added", DR, SETTLED), ("uncovered", CR, SETTLED),
])
MOVE_RECEIVABLE = moving_amount("RECORD_OBLIGATION_STATUS_BALANCE", "Obligation {reference}",
                                [("to", DR, SETTLED), ("from", CR, SETTLED)])
RECORD_PAYMENT = moving_amount("RECORD_PAYMENT", "Payment {reference}", [
    ("source", DR, SETTLED), ("holding", CR, SETTLED),
    ("uncovered", DR, SETTLED), ("payments", CR, SETTLED),
])
ALLOCATE_PAYMENT = moving_amount("RECORD_PAYMENT_ALLOCATION", "Payment allocated {reference}",
                                 [("holding", DR, SETTLED), ("receivable", CR, SETTLED)])
ADD_COLLATERAL = moving_amount("ADD_COLLATERAL", "Collateral added {reference}",
                               [("omnibus", DR, SETTLED), ("collateral", CR, SETTLED)], Currency.BTC)
REMOVE_COLLATERAL = moving_amount("REMOVE_COLLATERAL", "Collateral removed {reference}",
                                  [("collateral", DR, SETTLED), ("omnibus", CR, SETTLED)], Currency.BTC)
SEND_TO_LIQUIDATION = moving_amount("SEND_COLLATERAL_TO_LIQUIDATION", "Collateral sent to liquidation {reference}",
                                    [("collateral", DR, SETTLED), ("in_liquidation", CR, SETTLED)], Currency.BTC)
RECEIVE_PROCEEDS = TransactionTemplate(
    code="RECEIVE_PROCEEDS_FROM_LIQUIDATION",
    description="Liquidation proceeds {reference}",
    params=(
        Param("omnibus", ParamType.ACCOUNT), Param("proceeds", ParamType.ACCOUNT),
        Param("in_liquidation", ParamType.ACCOUNT), Param("liquidated", ParamType.ACCOUNT),
        Param("amount", ParamType.AMOUNT), Param("sats", ParamType.AMOUNT), Param("reference", ParamType.STRING),
    ),
    entries=(
        EntryTemplate(Ref("omnibus"), DR, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("proceeds"), CR, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("in_liquidation"), DR, Ref("sats"), Currency.BTC),
        EntryTemplate(Ref("liquidated"), CR, Ref("sats"), Currency.BTC),
    ),
)
# At closing, what was never drawn stops being a commitment.
RELEASE_COMMITMENT = moving_amount("RELEASE_FACILITY_COMMITMENT", "Facility closed {reference}",
                                   [("facility", DR, SETTLED), ("omnibus", CR, SETTLED)])
# What liquidation brought in beyond the debt goes back to the customer.
RETURN_EXCESS_PROCEEDS = moving_amount("RETURN_EXCESS_LIQUIDATION_PROCEEDS", "Liquidation surplus returned {reference}",
                                       [("proceeds", DR, SETTLED), ("deposit", CR, SETTLED)])

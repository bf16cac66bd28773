"""Who the simulated bank's customers are and how each behaves, drawn from the seed.

A profile depends only on (seed, customer number): never on how long the simulation runs, so
a bank simulated for six months and continued for six more is the bank simulated for twelve.
The first customers are spread on purpose over every customer type, payment behaviour and
product, so that even a small simulation shows each of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lana_core.customer.domain import CustomerType, PersonalInfo

# How a borrower pays: on time (the day an obligation falls due), late (weeks after), partly
# (half of what is due, once, then the rest late), or never.
ON_TIME, LATE, PARTIAL, NEVER = "on_time", "late", "partial", "never"
BEHAVIOURS = (ON_TIME, LATE, PARTIAL, NEVER)

TYPES = tuple(CustomerType)
# Most customers are people; the rest companies and institutions.
TYPE_WEIGHTS = {
    CustomerType.INDIVIDUAL: 70, CustomerType.PRIVATE_COMPANY: 16, CustomerType.BANK: 2,
    CustomerType.FINANCIAL_INSTITUTION: 3, CustomerType.GOVERNMENT_ENTITY: 2,
    CustomerType.NON_DOMICILED_COMPANY: 4, CustomerType.FOREIGN_AGENCY_OR_SUBSIDIARY: 3,
}
# Monthly income and facility sizes, in dollars, by customer type: (low, high).
INCOME = {
    CustomerType.INDIVIDUAL: (1_500, 9_000), CustomerType.PRIVATE_COMPANY: (25_000, 300_000),
    CustomerType.BANK: (400_000, 2_500_000), CustomerType.FINANCIAL_INSTITUTION: (300_000, 1_500_000),
    CustomerType.GOVERNMENT_ENTITY: (200_000, 900_000), CustomerType.NON_DOMICILED_COMPANY: (20_000, 250_000),
    CustomerType.FOREIGN_AGENCY_OR_SUBSIDIARY: (30_000, 350_000),
}
FACILITY = {
    CustomerType.INDIVIDUAL: (5_000, 80_000), CustomerType.PRIVATE_COMPANY: (100_000, 1_500_000),
    CustomerType.BANK: (1_000_000, 5_000_000), CustomerType.FINANCIAL_INSTITUTION: (500_000, 3_000_000),
    CustomerType.GOVERNMENT_ENTITY: (500_000, 2_000_000), CustomerType.NON_DOMICILED_COMPANY: (80_000, 1_000_000),
    CustomerType.FOREIGN_AGENCY_OR_SUBSIDIARY: (100_000, 1_200_000),
}
FIRST_NAMES = ("Alice", "Bruno", "Carmen", "Diego", "Elena", "Fabio", "Gloria", "Hector", "Isabel", "Jorge",
               "Karla", "Luis", "Marta", "Nicolas", "Olga", "Pablo", "Rosa", "Sergio", "Teresa", "Victor")
LAST_NAMES = ("Alvarez", "Bonilla", "Castro", "Duarte", "Escobar", "Flores", "Guzman", "Hernandez", "Iraheta",
              "Jimenez", "Lopez", "Martinez", "Navarro", "Orellana", "Perez", "Quintanilla", "Rivas", "Sosa")
COMPANY_WORDS = ("Andes", "Volcan", "Pacifico", "Cuscatlan", "Maya", "Lempa", "Izalco", "Coatepeque", "Sol", "Norte")
COMPANY_KINDS = {
    CustomerType.PRIVATE_COMPANY: "S.A. de C.V.", CustomerType.BANK: "Bank", CustomerType.FINANCIAL_INSTITUTION:
    "Capital", CustomerType.GOVERNMENT_ENTITY: "Municipal Treasury", CustomerType.NON_DOMICILED_COMPANY: "Ltd.",
    CustomerType.FOREIGN_AGENCY_OR_SUBSIDIARY: "Agency",
}
COUNTRIES = ("SV", "SV", "SV", "GT", "HN", "MX", "US", "PA", "CR", "ES")
FIRST_COHORT = 30  # these customers arrive on the first 30 days and borrow soon after


@dataclass(frozen=True)
class Profile:
    """One simulated customer.

    index: its number (0, 1, ...); email / customer_type / info: as onboarded; join_day: days
    after the simulation's start it arrives; passes_kyc: the provider's review comes back green;
    pay_day: day of the month its income arrives; income: a month's income, cents;
    spend_percent: share of its balance it withdraws in a month; borrower: its payment behaviour
    (None: never borrows); product: the terms template it borrows under; borrow_day: days after
    the start it asks for a facility; amount: the facility, cents; target_cvl: collateral
    posted, in percent of the amount at the day's price; custodial: a custodian holds the
    collateral; tops_up: adds collateral when under margin call; late_days: how late a late
    payer pays; freeze_day / leave_day: days after the start compliance freezes it (for ten
    days) / it withdraws everything and leaves (None: never).
    """

    index: int
    email: str
    customer_type: CustomerType
    info: PersonalInfo
    join_day: int
    passes_kyc: bool
    pay_day: int
    income: int
    spend_percent: int
    borrower: str | None
    product: str
    borrow_day: int
    amount: int
    target_cvl: int
    custodial: bool
    tops_up: bool
    late_days: int
    freeze_day: int | None
    leave_day: int | None


def profile(seed: int, index: int, products: tuple[str, ...]) -> Profile:
    rng = random.Random(f"lana-sim:{seed}:customer:{index}")
    first = index < FIRST_COHORT
    if index < len(TYPES):
        customer_type = TYPES[index]
    else:
        customer_type = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
    join_day = index if first else rng.randint(0, 240)
    # Two customers in five borrow; the k-th borrower takes the k-th behaviour and, shifted, the
    # products in turn, so that every pair of them shows up early.
    borrower, product = None, products[0]
    if index % 5 in (0, 2):
        k = (index // 5) * 2 + (index % 5 == 2)
        borrower = BEHAVIOURS[k % len(BEHAVIOURS)]
        product = products[(k // len(BEHAVIOURS) + k) % len(products)]
    low, high = INCOME[customer_type]
    flow_low, flow_high = FACILITY[customer_type]
    passes_kyc = index % 17 != 16 and (first or rng.random() < 0.94)
    return Profile(
        index=index,
        email=f"customer{index:05d}@{customer_type.value.replace('_', '-')}.example",
        customer_type=customer_type,
        info=_info(rng, customer_type),
        join_day=join_day,
        passes_kyc=passes_kyc,
        pay_day=rng.randint(1, 28),
        income=rng.randint(low, high) * 100,
        spend_percent=rng.randint(10, 30) if borrower else rng.randint(20, 70),
        borrower=borrower if passes_kyc else None,
        product=product,
        borrow_day=join_day + (rng.randint(2, 15) if first else rng.randint(5, 120)),
        amount=rng.randint(flow_low // 1000, flow_high // 1000) * 1000 * 100,
        target_cvl=rng.randint(145, 230),
        custodial=rng.random() < 0.3,
        tops_up=rng.random() < 0.5,
        late_days=rng.randint(10, 45),
        freeze_day=join_day + rng.randint(20, 200) if rng.random() < 0.03 else None,
        leave_day=join_day + rng.randint(60, 300) if borrower is None and rng.random() < 0.05 else None,
    )


def _info(rng: random.Random, customer_type: CustomerType) -> PersonalInfo:
    country = rng.choice(COUNTRIES)
    if customer_type is CustomerType.INDIVIDUAL:
        return PersonalInfo(first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES), nationality=country)
    name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)} {COMPANY_KINDS[customer_type]}"
    return PersonalInfo(company_name=name, nationality=country)

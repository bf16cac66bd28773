"""The numbers of credit: rounding, CVL, interest, fees, collateral, liquidation. Pure and exact.

Money is integer minor units: cents (USD) and satoshis (BTC, 10^8 per bitcoin). The bitcoin
price is integer cents per bitcoin. The rounding rules are Lana's (LANA_DOMAIN §1.2, §1.3,
§1.6, §1.10): collateral value rounds down, amounts owed round up.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal
from enum import StrEnum

from lana_core.credit.terms import Interval, TermValues

SATS_PER_BTC = 100_000_000
DAYS_PER_YEAR = 365  # actual/365 fixed, also in leap years
INFINITE = Decimal("Infinity")
UPGRADE_BUFFER = Decimal(5)  # percentage points above margin call to leave the margin call state


def collateral_value_cents(sats: int, price_cents: int) -> int:
    """What the collateral is worth, rounded down to the cent."""
    return sats * price_cents // SATS_PER_BTC


def cents_to_sats(cents: int, price_cents: int) -> int:
    """Satoshis buying ``cents`` at the price, rounded up to the satoshi."""
    return -((-cents * SATS_PER_BTC) // price_cents)


def cvl(collateral_sats: int, outstanding_cents: int, price_cents: int) -> Decimal:
    """Collateral value over outstanding, in percent, truncated to whole percent (the ratio is
    truncated to two decimals): 130.999 % -> 130. Nothing outstanding: infinite."""
    if outstanding_cents <= 0:
        return INFINITE
    value = collateral_value_cents(collateral_sats, price_cents)
    if value == 0:
        return Decimal(0)
    return Decimal(value * 100 // outstanding_cents)


def interest(principal_cents: int, days: int, annual_rate: Decimal) -> int:
    """principal × days × rate / 365, rounded up to the cent (any fraction counts)."""
    exact = Decimal(principal_cents) * days * annual_rate / (DAYS_PER_YEAR * 100)
    return int(exact.to_integral_value(rounding=ROUND_UP))


def one_time_fee(amount_cents: int, fee_rate: Decimal) -> int:
    """The structuring fee, rounded up to the cent (5.01 % of $10.00 is $0.51)."""
    return int((Decimal(amount_cents) * fee_rate / 100).to_integral_value(rounding=ROUND_UP))


def scale(cents: int, percent: Decimal) -> int:
    """``cents`` × percent / 100, rounded up to the cent."""
    return int((Decimal(cents) * percent / 100).to_integral_value(rounding=ROUND_UP))


def required_collateral_sats(amount_cents: int, target_cvl: Decimal, price_cents: int) -> int:
    """Satoshis needed for ``amount`` to stand at ``target_cvl`` at the price."""
    return cents_to_sats(scale(amount_cents, target_cvl), price_cents)


@dataclass(frozen=True)
class LiquidationAmounts:
    """repay_cents: what selling collateral must bring in to restore the target CVL;
    sats: the collateral to sell for it at the price."""

    repay_cents: int
    sats: int


def liquidation_amounts(outstanding_cents: int, collateral_sats: int, price_cents: int,
                        target_cvl: Decimal) -> LiquidationAmounts:
    """repay = max(0, (outstanding × T − collateral value) / (T − 1)), T = target / 100: after
    selling collateral worth ``repay`` and paying down the loan with it, CVL = target."""
    t = target_cvl / 100
    value = Decimal(collateral_value_cents(collateral_sats, price_cents))
    repay = max(Decimal(0), (Decimal(outstanding_cents) * t - value) / (t - 1))
    repay_cents = int(repay.to_integral_value(rounding=ROUND_UP))
    return LiquidationAmounts(repay_cents, cents_to_sats(repay_cents, price_cents))


# --- collateralization --------------------------------------------------------------------


class Collateralization(StrEnum):
    """An active facility's standing: no exposure (nothing outstanding), no collateral, fully
    collateralized (CVL at or above margin call), under margin call, under liquidation."""

    NO_EXPOSURE = "no_exposure"
    NO_COLLATERAL = "no_collateral"
    FULLY_COLLATERALIZED = "fully_collateralized"
    UNDER_MARGIN_CALL = "under_margin_call_threshold"
    UNDER_LIQUIDATION = "under_liquidation_threshold"


class PendingCollateralization(StrEnum):
    """A pending facility's standing against its initial CVL."""

    NOT_YET_COLLATERALIZED = "not_yet_collateralized"
    UNDER_COLLATERALIZED = "under_collateralized"
    FULLY_COLLATERALIZED = "fully_collateralized"


def collateralization(value: Decimal, terms: TermValues, current: Collateralization) -> Collateralization:
    """The state for a CVL, with hysteresis: from under margin call back to fully collateralized
    only above margin call + 5 points; every other move at once."""
    if value == INFINITE:
        computed = Collateralization.NO_EXPOSURE
    elif value == 0:
        computed = Collateralization.NO_COLLATERAL
    elif value >= terms.margin_call_cvl:
        computed = Collateralization.FULLY_COLLATERALIZED
    elif value >= terms.liquidation_cvl:
        computed = Collateralization.UNDER_MARGIN_CALL
    else:
        computed = Collateralization.UNDER_LIQUIDATION
    if (current is Collateralization.UNDER_MARGIN_CALL and computed is Collateralization.FULLY_COLLATERALIZED
            and value <= terms.margin_call_cvl + UPGRADE_BUFFER):
        return current
    return computed


def pending_collateralization(value: Decimal, terms: TermValues) -> PendingCollateralization:
    """Fully collateralized, and so ready to activate, at the initial CVL (the seeds' rule)."""
    if value == 0:
        return PendingCollateralization.NOT_YET_COLLATERALIZED
    if value >= terms.initial_cvl:
        return PendingCollateralization.FULLY_COLLATERALIZED
    return PendingCollateralization.UNDER_COLLATERALIZED


# --- periods ------------------------------------------------------------------------------


def cycle_end(start: date, interval: Interval, maturity: date) -> date:
    """The last day of the interest cycle starting on ``start``: that day (daily cycles) or the
    month's last day (monthly), and never past the day before maturity."""
    end = start if Interval(interval) is Interval.END_OF_DAY else start.replace(
        day=calendar.monthrange(start.year, start.month)[1])
    return min(end, maturity - timedelta(days=1))


def percent(value: Decimal) -> str:
    """A CVL for people: "130 %", "infinite"."""
    return "infinite" if value == INFINITE else f"{value:f} %"


# --- allocation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Owed:
    """An obligation as allocation sees it: id, kind (interest or disbursal), when it took
    effect, its creation order, and what is left to pay (cents)."""

    id: object
    kind: str
    effective: date
    order: int
    outstanding: int


def allocate(amount_cents: int, obligations: Sequence[Owed]) -> list[tuple[object, int]]:
    """Split a payment over obligations: every interest obligation before any principal, each
    kind oldest first (by effective date, then creation); each takes what it still owes."""
    queue = sorted(
        (o for o in obligations if o.outstanding > 0),
        key=lambda o: (0 if o.kind == "interest" else 1, o.effective, o.order),
    )
    remaining, slices = amount_cents, []
    for owed in queue:
        if remaining == 0:
            break
        share = min(remaining, owed.outstanding)
        slices.append((owed.id, share))
        remaining -= share
    return slices


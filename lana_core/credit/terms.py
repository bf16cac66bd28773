"""The terms of a credit facility (TermValues) and named terms templates. Pure."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from lana_core.errors import InvalidInput
from lana_core.eventsourcing import Aggregate, Event

SHORT_TERM_MONTHS = 12  # more than this is long term


class Interval(StrEnum):
    END_OF_DAY = "end_of_day"
    END_OF_MONTH = "end_of_month"


class DisbursalPolicy(StrEnum):
    SINGLE = "single"      # the whole amount, once, at activation
    MULTIPLE = "multiple"  # disbursals on request, each approved


@dataclass(frozen=True)
class TermValues:
    """A facility's terms. Percentages are Decimal percent (12 = 12 %).

    annual_rate: nominal yearly interest rate; duration_months: the term, from activation to
    maturity; accrual_interval: how often interest accrues (normally daily);
    accrual_cycle_interval: how often accrued interest is billed as an obligation (normally
    monthly); one_time_fee_rate: the structuring fee charged at activation, percent of the
    amount; initial_cvl / margin_call_cvl / liquidation_cvl: collateral value over outstanding,
    in percent, strictly decreasing (activation at initial, margin call below margin_call_cvl,
    liquidation below liquidation_cvl); disbursal_policy: single or multiple disbursals;
    overdue_days / liquidation_days / default_days: days after an obligation's due date at which
    it becomes overdue, enters liquidation, defaults (None: never), increasing.
    """

    annual_rate: Decimal
    duration_months: int
    accrual_interval: Interval
    accrual_cycle_interval: Interval
    one_time_fee_rate: Decimal
    initial_cvl: Decimal
    margin_call_cvl: Decimal
    liquidation_cvl: Decimal
    disbursal_policy: DisbursalPolicy
    overdue_days: int | None
    liquidation_days: int | None
    default_days: int | None

    def problems(self) -> list[str]:
        """Every rule the terms break (empty: valid)."""
        out = []
        if not Decimal(0) <= self.annual_rate <= Decimal(100):
            out.append(f"the annual rate must be between 0 and 100 %, got {self.annual_rate}")
        if not 1 <= self.duration_months <= 600:
            out.append(f"the duration must be 1 to 600 months, got {self.duration_months}")
        if not Decimal(0) <= self.one_time_fee_rate < Decimal(100):
            out.append(f"the one-time fee must be at least 0 and below 100 %, got {self.one_time_fee_rate}")
        if self.liquidation_cvl <= 0:
            out.append(f"the liquidation CVL must be positive, got {self.liquidation_cvl}")
        if self.initial_cvl <= self.margin_call_cvl:
            out.append(f"the initial CVL ({self.initial_cvl}) must be above the margin-call CVL ({self.margin_call_cvl})")
        if self.margin_call_cvl <= self.liquidation_cvl:
            out.append(f"the margin-call CVL ({self.margin_call_cvl}) must be above the liquidation CVL "
                       f"({self.liquidation_cvl})")
        if self.accrual_cycle_interval is Interval.END_OF_DAY and self.accrual_interval is Interval.END_OF_MONTH:
            out.append("interest cannot accrue monthly inside daily cycles")
        steps = [(name, days) for name, days in (("overdue", self.overdue_days),
                                                 ("liquidation", self.liquidation_days),
                                                 ("default", self.default_days)) if days is not None]
        out += [f"the {name} period cannot be negative, got {days} days" for name, days in steps if days < 0]
        for (first, a), (second, b) in zip(steps, steps[1:]):
            if b <= a:
                out.append(f"the {second} period ({b} days) must be longer than the {first} period ({a} days)")
        return out

    def check(self) -> TermValues:
        problems = self.problems()
        if problems:
            raise InvalidInput("invalid terms: " + "; ".join(problems))
        return self

    @property
    def long_term(self) -> bool:
        return self.duration_months > SHORT_TERM_MONTHS

    def maturity_date(self, activated: date) -> date:
        """The activation date plus the duration in calendar months (clamped to month ends)."""
        month = activated.month - 1 + self.duration_months
        year, month = activated.year + month // 12, month % 12 + 1
        return date(year, month, min(activated.day, calendar.monthrange(year, month)[1]))

    @property
    def effective_annual_rate(self) -> Decimal:
        """The rate with the one-time fee spread over the term: rate + fee × 12 / months."""
        return self.annual_rate + self.one_time_fee_rate * 12 / self.duration_months


@dataclass(frozen=True)
class TermsTemplateCreated(Event):
    name: str
    values: TermValues


@dataclass(frozen=True)
class TermsTemplateUpdated(Event):
    values: TermValues


class TermsTemplate(Aggregate):
    """A named set of terms operators pick when proposing a facility."""

    stream_type = "terms_template"
    event_types = (TermsTemplateCreated, TermsTemplateUpdated)

    name: str
    values: TermValues

    @classmethod
    def create(cls, id: UUID, name: str, values: TermValues) -> TermsTemplate:
        if not name.strip():
            raise InvalidInput("a terms template needs a name")
        template = cls(id)
        template._record(TermsTemplateCreated(name.strip(), values.check()))
        return template

    def update(self, values: TermValues) -> None:
        self._record(TermsTemplateUpdated(values.check()))

    def _apply(self, event: Event) -> None:
        match event:
            case TermsTemplateCreated(name, values):
                self.name, self.values = name, values
            case TermsTemplateUpdated(values):
                self.values = values

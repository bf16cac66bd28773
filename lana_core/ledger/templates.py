"""Transaction templates: named, parameterised lists of entries.

Business code never writes raw ledger rows: it posts ``template + params``. A template declares
its parameters and, for each entry, the account, direction, layer, currency and amount, each
either fixed or taken from a parameter (``Ref("name")``). For example::

    RECORD_DEPOSIT = TransactionTemplate(
        code="RECORD_DEPOSIT",
        description="Deposit {reference}",
        params=(
            Param("omnibus", ParamType.ACCOUNT),
            Param("deposit_account", ParamType.ACCOUNT),
            Param("amount", ParamType.AMOUNT),
            Param("reference", ParamType.STRING),
        ),
        entries=(
            EntryTemplate(Ref("omnibus"), Direction.DEBIT, Ref("amount"), Currency.USD),
            EntryTemplate(Ref("deposit_account"), Direction.CREDIT, Ref("amount"), Currency.USD),
        ),
    )

An entry whose amount resolves to zero is left out (a fee of zero posts nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from lana_core.errors import InvalidInput
from lana_core.ledger.model import Direction, EntryLine, Layer
from lana_core.money import Currency


class ParamType(StrEnum):
    ACCOUNT = "account"    # an account id (UUID) or code
    AMOUNT = "amount"      # a non-negative integer of minor units
    CURRENCY = "currency"  # USD or BTC
    DATE = "date"
    STRING = "string"
    UUID = "uuid"


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    description: str = ""
    required: bool = True


@dataclass(frozen=True)
class Ref:
    """A reference to a template parameter by name."""

    name: str


@dataclass(frozen=True)
class EntryTemplate:
    """account/amount/currency: a fixed value or a ``Ref``; description: a format string."""

    account: str | Ref
    direction: Direction
    amount: int | Ref
    currency: Currency | Ref
    layer: Layer = Layer.SETTLED
    description: str | None = None


class TemplateParamsError(InvalidInput):
    pass


@dataclass(frozen=True)
class ResolvedTemplate:
    """The entries and description of one use of a template, and its params as stored (JSON)."""

    description: str
    entries: tuple[EntryLine, ...]
    params: dict[str, Any]


@dataclass(frozen=True)
class TransactionTemplate:
    code: str
    description: str
    params: tuple[Param, ...]
    entries: tuple[EntryTemplate, ...]

    def __post_init__(self) -> None:
        declared = {p.name: p for p in self.params}
        if len(declared) != len(self.params):
            raise ValueError(f"template {self.code}: duplicate parameter names")
        if len(self.entries) < 2:
            raise ValueError(f"template {self.code}: needs at least two entries")
        expected = {"account": ParamType.ACCOUNT, "amount": ParamType.AMOUNT, "currency": ParamType.CURRENCY}
        for i, entry in enumerate(self.entries):
            for attr, ptype in expected.items():
                value = getattr(entry, attr)
                if isinstance(value, Ref):
                    param = declared.get(value.name)
                    if param is None:
                        raise ValueError(f"template {self.code}: entry {i} uses undeclared {value.name!r}")
                    if param.type is not ptype:
                        raise ValueError(
                            f"template {self.code}: entry {i} {attr} needs a parameter of type {ptype}, "
                            f"{value.name!r} is {param.type}"
                        )

    def resolve(self, params: Mapping[str, Any]) -> ResolvedTemplate:
        """Check and coerce the params, then build the entries. Raises TemplateParamsError."""
        problems: list[str] = []
        values: dict[str, Any] = {}
        declared = {p.name: p for p in self.params}
        for name in sorted(set(params) - set(declared)):
            problems.append(f"unknown parameter {name!r}")
        for p in self.params:
            if params.get(p.name) is None:
                if p.required:
                    problems.append(f"missing parameter {p.name!r}")
                values[p.name] = None
                continue
            try:
                values[p.name] = _coerce(p.type, params[p.name])
            except (TypeError, ValueError) as exc:
                problems.append(f"parameter {p.name!r}: {exc}")
        if problems:
            raise TemplateParamsError(f"template {self.code}: " + "; ".join(problems))

        text_values = {k: ("" if v is None else v) for k, v in values.items()}
        entries = []
        for e in self.entries:
            amount = values[e.amount.name] if isinstance(e.amount, Ref) else e.amount
            if amount is None or amount == 0:
                continue
            entries.append(
                EntryLine(
                    account=values[e.account.name] if isinstance(e.account, Ref) else e.account,
                    direction=e.direction,
                    amount=amount,
                    currency=values[e.currency.name] if isinstance(e.currency, Ref) else e.currency,
                    layer=e.layer,
                    description=e.description.format(**text_values) if e.description else None,
                )
            )
        if not entries:
            raise TemplateParamsError(f"template {self.code}: every amount is zero, nothing to post")
        return ResolvedTemplate(
            description=self.description.format(**text_values),
            entries=tuple(entries),
            params={k: _to_json(v) for k, v in values.items() if v is not None},
        )



Leg = tuple[str, Direction, Layer]  # (account parameter, direction, layer)


def moving_amount(code: str, description: str, legs: Sequence[Leg], currency: Currency = Currency.USD
                  ) -> TransactionTemplate:
    """The common template shape: one ``amount`` (and a ``reference`` for the description) moved
    along ``legs``, each naming an account parameter; the accounts become parameters in name
    order. E.g. legs [("deposit", DEBIT, SETTLED), ("omnibus", CREDIT, SETTLED)]."""
    accounts = sorted({leg[0] for leg in legs})
    return TransactionTemplate(
        code=code,
        description=description,
        params=(*(Param(a, ParamType.ACCOUNT) for a in accounts), Param("amount", ParamType.AMOUNT),
                Param("reference", ParamType.STRING)),
        entries=tuple(EntryTemplate(Ref(a), d, Ref("amount"), currency, layer) for a, d, layer in legs),
    )

def _coerce(ptype: ParamType, value: Any) -> Any:
    if ptype is ParamType.ACCOUNT:
        if isinstance(value, UUID):
            return value
        if isinstance(value, str) and value.strip():
            return value.strip()
        raise TypeError(f"expected an account id or code, got {value!r}")
    if ptype is ParamType.AMOUNT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected integer minor units, got {value!r}")
        if value < 0:
            raise ValueError(f"amounts are never negative, got {value}")
        return value
    if ptype is ParamType.CURRENCY:
        return value if isinstance(value, Currency) else Currency(str(value).upper())
    if ptype is ParamType.DATE:
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value))
    if ptype is ParamType.UUID:
        return value if isinstance(value, UUID) else UUID(str(value))
    if ptype is ParamType.STRING:
        if not isinstance(value, str):
            raise TypeError(f"expected text, got {value!r}")
        return value
    raise AssertionError(ptype)


def _to_json(value: Any) -> Any:
    if isinstance(value, (UUID, date)):
        return str(value)
    if isinstance(value, Currency):
        return value.value
    return value

from datetime import date
from uuid import uuid4

import pytest

from lana_core.ledger import Direction, EntryTemplate, Layer, Param, ParamType, Ref, TransactionTemplate
from lana_core.ledger.templates import TemplateParamsError
from lana_core.money import Currency

WITHDRAW = TransactionTemplate(
    code="INITIATE_WITHDRAW",
    description="Withdrawal {reference}",
    params=(
        Param("deposit", ParamType.ACCOUNT),
        Param("omnibus", ParamType.ACCOUNT),
        Param("amount", ParamType.AMOUNT),
        Param("reference", ParamType.STRING),
        Param("fee", ParamType.AMOUNT, required=False),
    ),
    entries=(
        EntryTemplate(Ref("deposit"), Direction.DEBIT, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("omnibus"), Direction.CREDIT, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("omnibus"), Direction.DEBIT, Ref("amount"), Currency.USD, Layer.PENDING, "hold {reference}"),
        EntryTemplate(Ref("deposit"), Direction.CREDIT, Ref("amount"), Currency.USD, Layer.PENDING),
        EntryTemplate(Ref("deposit"), Direction.DEBIT, Ref("fee"), Currency.USD),
        EntryTemplate("BANK.FEES", Direction.CREDIT, Ref("fee"), Currency.USD),
    ),
)


def test_a_template_resolves_to_entries_and_a_description():
    account = uuid4()
    resolved = WITHDRAW.resolve({"deposit": account, "omnibus": "OMNI", "amount": 2500, "reference": "W-1"})
    assert resolved.description == "Withdrawal W-1"
    assert [(e.account, e.direction, e.layer) for e in resolved.entries] == [
        (account, Direction.DEBIT, Layer.SETTLED),
        ("OMNI", Direction.CREDIT, Layer.SETTLED),
        ("OMNI", Direction.DEBIT, Layer.PENDING),
        (account, Direction.CREDIT, Layer.PENDING),
    ]
    assert resolved.entries[2].description == "hold W-1"
    assert resolved.params == {"deposit": str(account), "omnibus": "OMNI", "amount": 2500, "reference": "W-1"}


def test_entries_with_a_zero_amount_are_left_out():
    resolved = WITHDRAW.resolve({"deposit": "D", "omnibus": "O", "amount": 100, "reference": "r", "fee": 0})
    assert len(resolved.entries) == 4
    with_fee = WITHDRAW.resolve({"deposit": "D", "omnibus": "O", "amount": 100, "reference": "r", "fee": 7})
    assert [e.account for e in with_fee.entries[4:]] == ["D", "BANK.FEES"]


def test_every_parameter_problem_is_reported_at_once():
    with pytest.raises(TemplateParamsError) as caught:
        WITHDRAW.resolve({"deposit": "D", "amount": 10.5, "reference": 3, "colour": "red"})
    message = str(caught.value)
    assert message.startswith("template INITIATE_WITHDRAW: ")
    for fragment in ("unknown parameter 'colour'", "missing parameter 'omnibus'",
                     "parameter 'amount': expected integer minor units", "parameter 'reference': expected text"):
        assert fragment in message


def test_negative_amounts_are_refused():
    with pytest.raises(TemplateParamsError, match="never negative"):
        WITHDRAW.resolve({"deposit": "D", "omnibus": "O", "amount": -1, "reference": "r"})


def test_a_template_with_only_zero_amounts_posts_nothing():
    with pytest.raises(TemplateParamsError, match="nothing to post"):
        WITHDRAW.resolve({"deposit": "D", "omnibus": "O", "amount": 0, "reference": "r"})


def test_parameters_are_coerced_to_their_declared_types():
    template = TransactionTemplate(
        code="T",
        description="{day} {ref}",
        params=(Param("a", ParamType.ACCOUNT), Param("b", ParamType.ACCOUNT), Param("amount", ParamType.AMOUNT),
                Param("currency", ParamType.CURRENCY), Param("day", ParamType.DATE), Param("ref", ParamType.UUID)),
        entries=(
            EntryTemplate(Ref("a"), Direction.DEBIT, Ref("amount"), Ref("currency")),
            EntryTemplate(Ref("b"), Direction.CREDIT, Ref("amount"), Ref("currency")),
        ),
    )
    ref = uuid4()
    resolved = template.resolve({"a": "A", "b": "B", "amount": 5, "currency": "btc", "day": "2026-01-31",
                                 "ref": str(ref)})
    assert resolved.entries[0].currency is Currency.BTC
    assert resolved.description == f"2026-01-31 {ref}"
    assert resolved.params["day"] == date(2026, 1, 31).isoformat()


def test_a_template_that_references_an_undeclared_parameter_cannot_be_defined():
    with pytest.raises(ValueError, match="undeclared 'amount'"):
        TransactionTemplate(
            code="BROKEN",
            description="",
            params=(Param("a", ParamType.ACCOUNT),),
            entries=(
                EntryTemplate(Ref("a"), Direction.DEBIT, Ref("amount"), Currency.USD),
                EntryTemplate(Ref("a"), Direction.CREDIT, Ref("amount"), Currency.USD),
            ),
        )


def test_a_parameter_used_as_the_wrong_kind_cannot_be_defined():
    with pytest.raises(ValueError, match="needs a parameter of type amount"):
        TransactionTemplate(
            code="BROKEN",
            description="",
            params=(Param("a", ParamType.ACCOUNT),),
            entries=(
                EntryTemplate(Ref("a"), Direction.DEBIT, Ref("a"), Currency.USD),
                EntryTemplate(Ref("a"), Direction.CREDIT, Ref("a"), Currency.USD),
            ),
        )

"""Custodians and wallets as aggregates: their rules, and their events rebuild them."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from lana_core.custody.domain import Custodian, CustodianKind, CustodyError, Wallet
from lana_core.errors import InvalidInput
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly, refused

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def bitgo(**kwargs) -> Custodian:
    args = {"name": "BitGo main", "kind": CustodianKind.BITGO, "base_url": "https://bitgo.example/",
            "api_key": "gAAAA-api-ciphertext", "webhook_secret": "gAAAA-webhook-ciphertext"} | kwargs
    return Custodian.create(uuid.uuid4(), **args)


def test_a_remote_custodian_keeps_its_secrets_out_of_its_snapshot():
    custodian = bitgo(name="  BitGo   main ")
    assert (custodian.name, custodian.base_url, custodian.active) == ("BitGo main", "https://bitgo.example", True)
    snapshot = custodian.snapshot()
    assert snapshot["has_api_key"] and snapshot["has_webhook_secret"]
    assert "gAAAA" not in repr(snapshot)
    assert custodian.api_key_ciphertext == "gAAAA-api-ciphertext"
    assert_rehydrates(custodian)


@pytest.mark.parametrize(("kwargs", "why"), [
    ({"base_url": None}, "a bitgo custodian needs a base URL"),
    ({"base_url": "ftp://bitgo.example"}, "is not a base URL"),
    ({"base_url": "https://user:pw@bitgo.example"}, "a base URL may not carry credentials"),
    ({"base_url": "https://bitgo.example/?token=1"}, "may not carry a query or a fragment"),
    ({"base_url": "http://[::1"}, "is not a base URL"),
    ({"base_url": "http://bitgo.example:99999"}, "is not a base URL"),
    ({"api_key": None}, "a bitgo custodian needs an API key"),
    ({"api_key": None, "webhook_secret": None}, "needs an API key and a webhook secret"),
    ({"name": "   "}, "a custodian needs a name"),
    ({"kind": CustodianKind.SIMULATED}, "a simulated custodian has no base URL, API key or webhook secret"),
])
def test_a_custodian_without_what_its_kind_needs_is_refused(kwargs, why):
    with raises_exactly(InvalidInput, why):
        bitgo(**kwargs)


def test_a_simulated_custodian_needs_no_url_and_no_secrets():
    custodian = Custodian.create(uuid.uuid4(), "Sim", CustodianKind.SIMULATED, None, None, None)
    assert (custodian.has_api_key, custodian.base_url) == (False, None)
    with refused(custodian, CustodyError, "simulated: it has no secrets to rotate"):
        custodian.rotate_secrets("a", "b")


def test_rotating_keeps_a_secret_not_given_and_deactivation_stops_new_wallets():
    custodian = bitgo()
    custodian.rotate_secrets("gAAAA-new-api", None)
    assert (custodian.api_key_ciphertext, custodian.webhook_secret_ciphertext, custodian.secrets_version) == (
        "gAAAA-new-api", "gAAAA-webhook-ciphertext", 2)
    with refused(custodian, InvalidInput, "give a new API key, a new webhook secret, or both"):
        custodian.rotate_secrets(None, "")
    custodian.deactivate()
    version = custodian.version
    custodian.deactivate()  # already inactive: nothing recorded
    assert custodian.version == version
    with raises_exactly(CustodyError, "custodian BitGo main is not active"):
        custodian.check_active()
    custodian.activate()
    custodian.check_active()
    assert_rehydrates(custodian)


def test_a_wallet_records_only_changes_of_its_confirmed_balance():
    wallet = Wallet.create(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "w-1", "bc1qaddress", "CF 1")
    assert wallet.balance_sats == 0 and wallet.balance_changed_at is None
    assert wallet.update_balance(150_000, NOW) is True
    assert wallet.update_balance(150_000, NOW) is False
    assert (wallet.balance_sats, wallet.version) == (150_000, 2)
    with refused(wallet, InvalidInput, "cannot be negative"):
        wallet.update_balance(-1, NOW)
    with refused(wallet, InvalidInput, "integer number of satoshis"):
        wallet.update_balance(1.5, NOW)  # type: ignore[arg-type]
    assert wallet.update_balance(0, NOW) is True
    assert_rehydrates(wallet)


def test_a_wallet_needs_an_id_an_address_and_a_label():
    with raises_exactly(InvalidInput, "without an id or an address"):
        Wallet.create(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "w-1", " ", "CF 1")
    with raises_exactly(InvalidInput, "a wallet needs a label"):
        Wallet.create(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "w-1", "bc1q", "")


def test_a_base_url_with_credentials_is_refused_without_repeating_them():
    with raises_exactly(InvalidInput, "may not carry credentials") as caught:
        bitgo(base_url="https://ops:hunter2-password@bitgo.example")
    assert "hunter2" not in str(caught.value)

"""Custodians' webhooks (signatures, what a delivery means) and BTC amounts, without I/O."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from lana_core.custody.fake_server import bitgo_webhook, komainu_webhook
from lana_core.custody.providers import (
    BitGoClient,
    InvalidSignature,
    KomainuClient,
    SimulatedClient,
    bitgo_signature,
    btc_to_sats,
    komainu_signature,
    read_bitgo_webhook,
    read_komainu_webhook,
    sats_from_integer,
    sats_to_btc,
)
from lana_core.errors import InvalidInput
from tests.unit.aggregate_checks import raises_exactly

SECRET = "whsec-test"


# --- BitGo --------------------------------------------------------------------------------


def test_a_bitgo_delivery_signed_with_the_secret_is_read():
    headers, body = bitgo_webhook(SECRET, "w-1", transfer="t-9")
    notice = read_bitgo_webhook(SECRET, headers, body)
    assert (notice.external_wallet_id, notice.relevant, notice.description) == ("w-1", True, "confirmed transfer t-9")


def test_a_bitgo_signature_is_checked_whatever_the_case_of_the_header_and_of_the_hex():
    _, body = bitgo_webhook(SECRET, "w-1")
    headers = {"X-Signature-SHA256": bitgo_signature(SECRET, body).upper()}
    assert read_bitgo_webhook(SECRET, headers, body).relevant


def test_a_bitgo_delivery_signed_with_another_secret_or_altered_is_refused():
    headers, body = bitgo_webhook("someone-elses-secret", "w-1")
    with raises_exactly(InvalidSignature, "the BitGo webhook's signature does not match its body"):
        read_bitgo_webhook(SECRET, headers, body)
    headers, body = bitgo_webhook(SECRET, "w-1")
    with raises_exactly(InvalidSignature, "does not match"):
        read_bitgo_webhook(SECRET, headers, body.replace(b"w-1", b"w-2"))


def test_a_bitgo_delivery_without_a_signature_is_refused():
    _, body = bitgo_webhook(SECRET, "w-1")
    for headers in ({}, {"x-signature-sha256": ""}, {"x-signature-sha256": "   "}):
        with raises_exactly(InvalidSignature, "the BitGo webhook has no signature (x-signature-sha256)"):
            read_bitgo_webhook(SECRET, headers, body)


def test_only_confirmed_real_bitgo_transfers_matter():
    for kwargs, why in (({"state": "unconfirmed"}, "is unconfirmed, not confirmed"),
                        ({"simulation": True}, "simulated transfer")):
        headers, body = bitgo_webhook(SECRET, "w-1", **kwargs)
        notice = read_bitgo_webhook(SECRET, headers, body)
        assert not notice.relevant and why in notice.description and notice.external_wallet_id == "w-1"
    body = json.dumps({"type": "address_confirmation", "wallet": "w-1"}).encode()
    notice = read_bitgo_webhook(SECRET, {"x-signature-sha256": bitgo_signature(SECRET, body)}, body)
    assert (notice.relevant, notice.external_wallet_id) == (False, None)


def test_a_signed_bitgo_body_that_cannot_be_read_is_invalid_input():
    for body in (b"{not json", b"[1, 2]", json.dumps({"type": "transfer", "state": "confirmed"}).encode()):
        with pytest.raises(InvalidInput):
            read_bitgo_webhook(SECRET, {"x-signature-sha256": bitgo_signature(SECRET, body)}, body)


# --- Komainu ------------------------------------------------------------------------------


def test_a_komainu_delivery_signed_over_timestamp_and_body_is_read():
    headers, body = komainu_webhook(SECRET, "k-1")
    notice = read_komainu_webhook(SECRET, headers, body)
    assert (notice.external_wallet_id, notice.relevant) == ("k-1", True)


def test_a_komainu_signature_binds_the_timestamp():
    headers, body = komainu_webhook(SECRET, "k-1", timestamp="1767225600")
    moved = {**headers, "x-komainu-timestamp": "1767225601"}
    with raises_exactly(InvalidSignature, "the Komainu webhook's signature does not match its body"):
        read_komainu_webhook(SECRET, moved, body)
    body_only = {**headers, "x-komainu-signature": bitgo_signature(SECRET, body)}  # HMAC of the body alone
    with raises_exactly(InvalidSignature, "does not match"):
        read_komainu_webhook(SECRET, body_only, body)
    assert komainu_signature(SECRET, "1767225600", body) == bitgo_signature(SECRET, b"1767225600." + body)


def test_a_komainu_delivery_with_a_bad_or_missing_signature_or_timestamp_is_refused():
    headers, body = komainu_webhook("someone-elses-secret", "k-1")
    with raises_exactly(InvalidSignature, "does not match"):
        read_komainu_webhook(SECRET, headers, body)
    headers, body = komainu_webhook(SECRET, "k-1")
    with raises_exactly(InvalidSignature, "the Komainu webhook has no signature (x-komainu-signature)"):
        read_komainu_webhook(SECRET, {"x-komainu-timestamp": headers["x-komainu-timestamp"]}, body)
    with raises_exactly(InvalidSignature, "the Komainu webhook has no timestamp (x-komainu-timestamp)"):
        read_komainu_webhook(SECRET, {"x-komainu-signature": headers["x-komainu-signature"]}, body)


def test_only_komainu_wallet_balance_updates_matter():
    headers, body = komainu_webhook(SECRET, "k-1", event_type="TransactionCreated")
    notice = read_komainu_webhook(SECRET, headers, body)
    assert (notice.relevant, notice.external_wallet_id) == (False, None)


# --- idempotency keys ---------------------------------------------------------------------


def test_the_idempotency_key_is_the_header_else_the_signature():
    bitgo = BitGoClient("http://127.0.0.1:9", "key", SECRET)
    komainu = KomainuClient("http://127.0.0.1:9", "key", SECRET)
    headers, _ = bitgo_webhook(SECRET, "w-1")
    assert bitgo.idempotency_key(headers) == headers["x-signature-sha256"]
    assert bitgo.idempotency_key({**headers, "Idempotency-Key": "d-1"}) == "d-1"
    headers, _ = komainu_webhook(SECRET, "k-1")
    assert komainu.idempotency_key(headers) == headers["x-komainu-signature"]
    assert komainu.idempotency_key({**headers, "idempotency-key": "d-2"}) == "d-2"
    assert bitgo.idempotency_key({}) is None


def test_a_simulated_custodian_accepts_no_webhook():
    client = SimulatedClient(lambda: __import__("uuid").uuid4(), lambda _: 0)
    with raises_exactly(InvalidSignature, "a simulated custodian sends no webhooks"):
        client.read_webhook({"idempotency-key": "x"}, b"{}")
    first, second = client.create_wallet("CF 1"), client.create_wallet("CF 2")
    assert first.external_wallet_id != second.external_wallet_id and first.address.startswith("bcrt1q")


# --- amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "sats"), [
    ("0", 0), ("0.00000001", 1), ("1", 100_000_000), ("0.1", 10_000_000), ("1.23456789", 123_456_789),
    ("21000000", 2_100_000_000_000_000), ("20999999.99999999", 2_099_999_999_999_999), (" 0.5 ", 50_000_000),
    ("1e-8", 1), ("0.10000000", 10_000_000), (3, 300_000_000), (Decimal("0.3"), 30_000_000),
])
def test_a_btc_decimal_string_becomes_exact_satoshis(text, sats):
    assert btc_to_sats(text) == sats


@pytest.mark.parametrize(("value", "why"), [
    ("1.000000001", "more than 8 decimal places"), ("-0.1", "negative"), ("abc", "is not a BTC amount"),
    ("", "is not a BTC amount"), ("NaN", "is not a BTC amount"), ("Infinity", "is not a BTC amount"),
    (0.1, "not an exact BTC amount"), (True, "not an exact BTC amount"), (None, "not an exact BTC amount"),
])
def test_a_btc_amount_that_is_not_exact_or_not_an_amount_is_refused(value, why):
    with raises_exactly(InvalidInput, why):
        btc_to_sats(value)


def test_satoshis_print_as_exact_btc_and_come_back():
    for sats in (0, 1, 99_999_999, 100_000_000, 2_099_999_999_999_999):
        assert btc_to_sats(sats_to_btc(sats)) == sats
    assert sats_to_btc(150_000) == "0.00150000"
    assert sats_from_integer(5) == 5 and sats_from_integer("12345678901234567890") == 12345678901234567890
    for bad in (-1, 1.5, "1.5", True, None):
        with pytest.raises(InvalidInput):
            sats_from_integer(bad)

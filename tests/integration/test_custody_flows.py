"""Custody on real PostgreSQL: custodians and their encrypted secrets, wallets opened through a
custodian's API (a fake custodian on 127.0.0.1), webhooks, balances and what they publish."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest

from lana_core.access.domain import Actor, PermissionDenied
from lana_core.custody.domain import CustodianKind, CustodyError
from lana_core.custody.encryption import EncryptionNotConfigured, SecretBox, generate_key
from lana_core.custody.events import WalletBalanceChanged
from lana_core.custody.fake_server import FakeCustodian, bitgo_webhook, komainu_webhook
from lana_core.custody.providers import CustodianUnavailable, InvalidSignature, bitgo_signature
from lana_core.errors import InvalidInput, NotFound
from lana_core.eventsourcing.store import DuplicateEntity
from tests.conftest import START
from tests.integration.conftest import snapshot

ENCRYPTION_KEY = generate_key()
API_KEY = "plaintext-api-key-5d1e7c"
BITGO_SECRET = "plaintext-bitgo-webhook-secret-a9f0"
KOMAINU_SECRET = "plaintext-komainu-webhook-secret-44b2"
CREDIT = Actor.system("credit-test")  # stands for the credit context, which opens wallets in its operations


@pytest.fixture
def custody(bank):
    """The bank, with a key to encrypt custodians' secrets."""
    bank.config.encryption_key = ENCRYPTION_KEY
    return bank


@pytest.fixture
def fake():
    with FakeCustodian(API_KEY) as server:
        yield server


@pytest.fixture
def bitgo(custody, root, fake):
    return custody.custody.create_custodian(root, "BitGo", CustodianKind.BITGO, fake.base_url,
                                            api_key=API_KEY, webhook_secret=BITGO_SECRET)


@pytest.fixture
def komainu(custody, root, fake):
    return custody.custody.create_custodian(root, "Komainu", "komainu", fake.base_url,
                                            api_key=API_KEY, webhook_secret=KOMAINU_SECRET)


@pytest.fixture
def simulated(custody, root):
    return custody.custody.create_custodian(root, "Simulated", "simulated")


def open_wallet(app, custodian, owner_id=None, label="CF test"):
    """Open a wallet as the credit context does: inside an operation of its own."""
    with app.operation(CREDIT, "credit/facility/*", "credit:facility:create") as uow:
        return app.custody.create_wallet(uow, custodian.id, owner_id or uuid.uuid4(), label)


def messages(app):
    with app.db.unit_of_work() as uow:
        return [payload for (payload,) in uow.conn.execute(
            "SELECT payload FROM core.outbox WHERE message_type = %s ORDER BY position",
            (WalletBalanceChanged.event_type(),))]


def webhook_log(app):
    with app.db.unit_of_work() as uow:
        return uow.conn.execute(
            "SELECT outcome, reason, idempotency_key FROM custody.webhooks ORDER BY id").fetchall()


def stored_text(app) -> str:
    """Everything custody may have written where secrets must not be: events, entities, outbox,
    audit log and webhook log, as text."""
    with app.db.unit_of_work() as uow:
        return "\n".join(
            row[0] for query in (
                "SELECT payload::text FROM core.events", "SELECT state::text FROM core.entities",
                "SELECT payload::text FROM core.outbox",
                "SELECT concat_ws(' ', object, action, reason) FROM access.audit_log",
                "SELECT concat_ws(' ', reason, headers::text, body) FROM custody.webhooks",
            ) for row in uow.conn.execute(query)
        )


# --- custodians and their secrets ---------------------------------------------------------


def test_a_custodians_secrets_are_stored_only_as_ciphertext(custody, root, fake, bitgo):
    assert (bitgo.kind, bitgo.base_url, bitgo.active, bitgo.has_api_key) == (
        CustodianKind.BITGO, fake.base_url, True, True)
    custody.custody.rotate_secrets(root, "bitgo", webhook_secret="plaintext-rotated-secret-0c3d")
    text = stored_text(custody)
    for secret in (API_KEY, BITGO_SECRET, "plaintext-rotated-secret-0c3d"):
        assert secret not in text
    with custody.db.unit_of_work() as uow:
        created, rotated = [p for (p,) in uow.conn.execute(
            "SELECT payload FROM core.events WHERE stream_id = %s ORDER BY version", (bitgo.id,))]
    box = SecretBox(ENCRYPTION_KEY)
    assert (box.decrypt(created["api_key"]), box.decrypt(created["webhook_secret"])) == (API_KEY, BITGO_SECRET)
    assert (box.decrypt(rotated["api_key"]), box.decrypt(rotated["webhook_secret"])) == (
        API_KEY, "plaintext-rotated-secret-0c3d")
    listed = custody.custody.custodians(root)
    assert [c.name for c in listed] == ["BitGo"] and "gAAAA" not in repr(listed[0].snapshot())


def test_without_an_encryption_key_no_secret_is_stored_but_a_simulated_custodian_needs_none(bank, root, fake):
    before = snapshot(bank)
    with pytest.raises(EncryptionNotConfigured, match=r"no encryption key is configured \(LANA_ENCRYPTION_KEY\)"):
        bank.custody.create_custodian(root, "BitGo", "bitgo", fake.base_url, api_key=API_KEY,
                                      webhook_secret=BITGO_SECRET)
    assert snapshot(bank) == before
    assert API_KEY not in stored_text(bank)
    assert bank.custody.create_custodian(root, "Sim", "simulated").kind is CustodianKind.SIMULATED


def test_using_a_custodian_without_its_key_is_a_clear_refusal(custody, root, bitgo):
    custody.config.encryption_key = None
    before = snapshot(custody)
    with pytest.raises(EncryptionNotConfigured, match="no encryption key is configured"):
        open_wallet(custody, bitgo)
    custody.config.encryption_key = generate_key()  # another key: the secrets cannot be read
    with pytest.raises(EncryptionNotConfigured, match="custodian BitGo's API key cannot be decrypted"):
        open_wallet(custody, bitgo)
    assert snapshot(custody) == before


def test_custodian_names_are_unique_and_bad_input_is_refused_without_a_trace(custody, root, fake, bitgo):
    before = snapshot(custody)
    with pytest.raises(DuplicateEntity, match="bitgo is already taken"):
        custody.custody.create_custodian(root, "bitgo", "komainu", fake.base_url, api_key="k", webhook_secret="s")
    with pytest.raises(InvalidInput, match="unknown custodian kind 'fireblocks'"):
        custody.custody.create_custodian(root, "Other", "fireblocks", fake.base_url)
    with pytest.raises(InvalidInput, match="a komainu custodian needs a webhook secret"):
        custody.custody.create_custodian(root, "Other", "komainu", fake.base_url, api_key="k")
    with pytest.raises(InvalidInput, match="a simulated custodian has no base URL, API key or webhook secret"):
        custody.custody.create_custodian(root, "Other", "simulated", api_key="k")
    with pytest.raises(InvalidInput, match="give a new API key, a new webhook secret, or both"):
        custody.custody.rotate_secrets(root, bitgo.id, api_key="  ")
    with pytest.raises(NotFound, match="there is no custodian Nobody"):
        custody.custody.deactivate(root, "Nobody")
    assert snapshot(custody) == before


# --- wallets ------------------------------------------------------------------------------


def test_a_wallet_is_opened_through_the_custodians_api_one_per_owner(custody, root, fake, bitgo, komainu):
    owner = uuid.uuid4()
    wallet = open_wallet(custody, bitgo, owner, "CF 1")
    assert (wallet.custodian_id, wallet.owner_id, wallet.external_wallet_id, wallet.address, wallet.balance_sats) == (
        bitgo.id, owner, "bitgo-0001", "bc1qbitgo0001", 0)
    assert fake.wallets["bitgo-0001"]["label"] == "CF 1"
    with custody.db.unit_of_work() as uow:
        assert custody.custody.wallet_for(uow, owner).id == wallet.id
        assert custody.custody.wallet_for(uow, uuid.uuid4()) is None
    at_komainu = open_wallet(custody, komainu)
    assert (at_komainu.external_wallet_id, at_komainu.address) == ("komainu-0001", "bc1qkomainu0001")
    before = snapshot(custody)
    with pytest.raises(CustodyError, match=f"{owner} already has a wallet"):
        open_wallet(custody, komainu, owner)
    assert snapshot(custody) == before
    assert messages(custody) == []  # a new wallet's balance is zero: nothing changed
    assert [w.id for w in custody.custody.wallets(root, owner_id=owner)] == [wallet.id]
    assert [w.id for w in custody.custody.wallets(root, custodian_ref="Komainu")] == [at_komainu.id]


def test_no_wallet_is_opened_at_an_inactive_missing_or_unreachable_custodian(custody, root, fake, bitgo):
    custody.custody.deactivate(root, bitgo.id)
    before = snapshot(custody)
    with pytest.raises(CustodyError, match="custodian BitGo is not active"):
        open_wallet(custody, bitgo)
    with custody.db.unit_of_work() as uow, pytest.raises(NotFound):
        custody.custody.custodian(uow, uuid.uuid4())
    assert snapshot(custody) == before
    assert custody.custody.activate(root, "BitGo").active
    before = snapshot(custody)
    fake.fail_with = 503
    with pytest.raises(CustodianUnavailable, match="BitGo POST /api/v2/btc/wallet/generate answered HTTP 503"):
        open_wallet(custody, bitgo)
    assert snapshot(custody) == before
    fake.fail_with = None
    custody.custody.rotate_secrets(root, bitgo.id, api_key="a-wrong-api-key-71")
    before = snapshot(custody)
    with pytest.raises(CustodianUnavailable, match="answered HTTP 401") as refused:
        open_wallet(custody, bitgo)
    assert "a-wrong-api-key-71" not in str(refused.value)
    assert snapshot(custody) == before


# --- webhooks -----------------------------------------------------------------------------


def deliver(app, custodian, delivery):
    headers, body = delivery
    return app.custody.handle_webhook(custodian.id, headers, body)


def test_a_good_bitgo_webhook_updates_the_balance_and_publishes_one_change(custody, root, fake, bitgo):
    wallet = open_wallet(custody, bitgo)
    fake.set_balance(wallet.external_wallet_id, 150_000)
    outcome = deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id, transfer="t-1"))
    assert (outcome.outcome, outcome.wallet_id, outcome.balance_sats) == ("processed", wallet.id, 150_000)
    assert custody.custody.get_wallet(root, wallet.id).balance_sats == 150_000
    assert messages(custody) == [{"wallet_id": str(wallet.id), "owner_id": str(wallet.owner_id),
                                  "balance_sats": 150_000, "changed_at": START.isoformat()}]
    assert [o for o, _, _ in webhook_log(custody)] == ["processed"]
    assert ("GET", f"/api/v2/btc/wallet/{wallet.external_wallet_id}") in fake.requests


def test_a_good_komainu_webhook_updates_the_balance_from_its_exact_btc_amount(custody, root, fake, komainu):
    wallet = open_wallet(custody, komainu)
    fake.set_balance(wallet.external_wallet_id, 123_456_789)  # served as "1.23456789"
    outcome = deliver(custody, komainu, komainu_webhook(KOMAINU_SECRET, wallet.external_wallet_id))
    assert (outcome.outcome, outcome.balance_sats) == ("processed", 123_456_789)
    assert custody.custody.get_wallet(root, wallet.id).balance_sats == 123_456_789
    assert [m["balance_sats"] for m in messages(custody)] == [123_456_789]


def test_a_bad_or_missing_signature_is_refused_recorded_and_changes_nothing(custody, fake, bitgo, komainu):
    at_bitgo, at_komainu = open_wallet(custody, bitgo), open_wallet(custody, komainu)
    fake.set_balance(at_bitgo.external_wallet_id, 1)
    fake.set_balance(at_komainu.external_wallet_id, 1)
    fake.requests.clear()
    before = snapshot(custody)
    with pytest.raises(InvalidSignature, match="does not match"):
        deliver(custody, bitgo, bitgo_webhook("forged", at_bitgo.external_wallet_id))
    with pytest.raises(InvalidSignature, match="does not match"):  # Komainu's secret is not BitGo's
        deliver(custody, bitgo, bitgo_webhook(KOMAINU_SECRET, at_bitgo.external_wallet_id))
    headers, body = bitgo_webhook(BITGO_SECRET, at_bitgo.external_wallet_id)
    with pytest.raises(InvalidSignature, match="no signature"):
        deliver(custody, bitgo, ({}, body))
    headers, body = komainu_webhook(KOMAINU_SECRET, at_komainu.external_wallet_id, timestamp="100")
    with pytest.raises(InvalidSignature, match="does not match"):
        deliver(custody, komainu, ({**headers, "x-komainu-timestamp": "200"}, body))
    with pytest.raises(InvalidInput, match="not JSON"):
        deliver(custody, bitgo, ({"x-signature-sha256": bitgo_signature(BITGO_SECRET, b"{oops")}, b"{oops"))
    assert snapshot(custody) == before
    assert fake.requests == []  # the custodian was not even asked
    assert [o for o, _, _ in webhook_log(custody)] == ["rejected"] * 5


def test_a_delivery_for_an_unknown_custodian_is_not_found(custody, bitgo):
    with pytest.raises(NotFound, match="there is no custodian"):
        custody.custody.handle_webhook(uuid.uuid4(), {}, b"{}")


def test_a_replayed_delivery_is_recorded_and_changes_nothing(custody, fake, bitgo):
    wallet = open_wallet(custody, bitgo)
    fake.set_balance(wallet.external_wallet_id, 10_000)
    delivery = bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id)
    assert deliver(custody, bitgo, delivery).outcome == "processed"
    fake.set_balance(wallet.external_wallet_id, 20_000)
    before = snapshot(custody)
    assert deliver(custody, bitgo, delivery).outcome == "duplicate"
    # The idempotency-key header, when given, is the key: another signature does not make it new.
    keyed = bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id, transfer="t-2", idempotency_key="delivery-7")
    assert deliver(custody, bitgo, keyed).outcome == "processed"
    before = snapshot(custody)
    again = bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id, transfer="t-3", idempotency_key="delivery-7")
    assert deliver(custody, bitgo, again).outcome == "duplicate"
    assert snapshot(custody) == before
    assert [(o, k) for o, _, k in webhook_log(custody)] == [
        ("processed", delivery[0]["x-signature-sha256"]), ("duplicate", delivery[0]["x-signature-sha256"]),
        ("processed", "delivery-7"), ("duplicate", "delivery-7")]
    assert [m["balance_sats"] for m in messages(custody)] == [10_000, 20_000]


def test_unconfirmed_simulated_or_unrelated_deliveries_and_unknown_wallets_change_nothing(
        custody, fake, bitgo, komainu):
    wallet = open_wallet(custody, bitgo)
    fake.set_balance(wallet.external_wallet_id, 5_000)
    fake.requests.clear()
    before = snapshot(custody)
    outcomes = [
        deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id, state="unconfirmed")),
        deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id, simulation=True)),
        deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, "someone-elses-wallet")),
        deliver(custody, komainu, komainu_webhook(KOMAINU_SECRET, wallet.external_wallet_id)),  # not Komainu's
        deliver(custody, komainu, komainu_webhook(KOMAINU_SECRET, "x", event_type="TransactionCreated")),
    ]
    assert [o.outcome for o in outcomes] == ["ignored"] * 5
    assert "not confirmed" in outcomes[0].reason and "simulated transfer" in outcomes[1].reason
    assert "no wallet someone-elses-wallet at custodian BitGo" in outcomes[2].reason
    assert snapshot(custody) == before and messages(custody) == [] and fake.requests == []


def test_the_same_balance_reported_twice_is_published_once(custody, root, fake, bitgo):
    wallet = open_wallet(custody, bitgo)
    fake.set_balance(wallet.external_wallet_id, 75_000)
    first = deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id, transfer="t-1"))
    second = deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id, transfer="t-2"))
    assert (first.outcome, second.outcome) == ("processed", "processed") and "unchanged" in second.reason
    assert custody.custody.get_wallet(root, wallet.id).version == 2
    fake.set_balance(wallet.external_wallet_id, 0)  # withdrawn
    deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id, transfer="t-3"))
    assert [m["balance_sats"] for m in messages(custody)] == [75_000, 0]


def test_a_delivery_the_custodian_cannot_confirm_is_left_for_its_retry(custody, root, fake, bitgo):
    wallet = open_wallet(custody, bitgo)
    fake.set_balance(wallet.external_wallet_id, 9_000)
    delivery = bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id)
    fake.fail_with = 500
    before = snapshot(custody)
    with pytest.raises(CustodianUnavailable, match="answered HTTP 500"):
        deliver(custody, bitgo, delivery)
    assert snapshot(custody) == before
    fake.fail_with = None
    assert deliver(custody, bitgo, delivery).outcome == "processed"  # the retry is not a duplicate
    assert [o for o, _, _ in webhook_log(custody)] == ["failed", "processed"]
    assert custody.custody.get_wallet(root, wallet.id).balance_sats == 9_000


def test_a_delivery_that_cannot_be_verified_for_want_of_the_key_is_refused_and_logged(custody, fake, bitgo):
    wallet = open_wallet(custody, bitgo)
    custody.config.encryption_key = None
    before = snapshot(custody)
    with pytest.raises(EncryptionNotConfigured, match="no encryption key is configured"):
        deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id))
    assert snapshot(custody) == before
    assert [o for o, _, _ in webhook_log(custody)] == ["failed"]


def test_a_deactivated_custodian_still_reports_its_wallets_balances(custody, root, fake, bitgo):
    wallet = open_wallet(custody, bitgo)
    custody.custody.deactivate(root, bitgo.id)
    fake.set_balance(wallet.external_wallet_id, 42)
    assert deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id)).outcome == "processed"
    assert [m["balance_sats"] for m in messages(custody)] == [42]


def test_the_same_delivery_twice_at_once_is_processed_once(custody, fake, bitgo):
    wallet = open_wallet(custody, bitgo)
    fake.set_balance(wallet.external_wallet_id, 300)
    delivery = bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        outcomes.append(deliver(custody, bitgo, delivery).outcome)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["duplicate", "processed"]
    assert [m["balance_sats"] for m in messages(custody)] == [300]


def test_a_replay_that_slips_past_the_check_is_stopped_by_the_database(custody, fake, bitgo, monkeypatch):
    wallet = open_wallet(custody, bitgo)
    fake.set_balance(wallet.external_wallet_id, 700)
    delivery = bitgo_webhook(BITGO_SECRET, wallet.external_wallet_id)
    assert deliver(custody, bitgo, delivery).outcome == "processed"
    fake.set_balance(wallet.external_wallet_id, 800)
    monkeypatch.setattr(type(custody.custody), "_seen", lambda *args: False)  # as if both raced past it
    before = snapshot(custody)
    outcome = deliver(custody, bitgo, delivery)
    assert (outcome.outcome, outcome.reason) == ("duplicate", "delivered twice at once")
    assert snapshot(custody) == before
    assert [m["balance_sats"] for m in messages(custody)] == [700]


def test_the_webhook_log_is_append_only(custody, fake, bitgo):
    deliver(custody, bitgo, bitgo_webhook(BITGO_SECRET, "w"))
    with custody.db.unit_of_work() as uow:
        for statement in ("UPDATE custody.webhooks SET outcome = 'processed'", "DELETE FROM custody.webhooks",
                          "TRUNCATE custody.webhooks"):
            with pytest.raises(psycopg.Error, match="append-only"):
                with uow.conn.transaction():
                    uow.conn.execute(statement)
    assert [o for o, _, _ in webhook_log(custody)] == ["ignored"]


# --- the simulated custodian --------------------------------------------------------------


def test_the_simulated_custodian_sets_confirmed_balances_and_publishes_changes(custody, root, fake, simulated, bitgo):
    wallet = open_wallet(custody, simulated)
    assert wallet.external_wallet_id.startswith("sim-") and wallet.address.startswith("bcrt1q")
    updated = custody.custody.set_balance(wallet.id, 50_000_000)
    assert updated.balance_sats == 50_000_000
    before = snapshot(custody)
    custody.custody.set_balance(wallet.id, 50_000_000)  # the same balance: nothing to record
    assert snapshot(custody) == before
    custody.custody.set_balance(wallet.id, 20_000_000, actor=root)
    assert [m["balance_sats"] for m in messages(custody)] == [50_000_000, 20_000_000]
    with custody.db.unit_of_work() as uow:
        actors = [a for (a,) in uow.conn.execute(
            "SELECT actor FROM core.events WHERE stream_id = %s ORDER BY version", (wallet.id,))]
    assert actors == ["system:credit-test", "system:simulated-custodian", root.subject]
    real = open_wallet(custody, bitgo)
    before = snapshot(custody)
    with pytest.raises(CustodyError, match="held by bitgo custodian BitGo: only a simulated custodian"):
        custody.custody.set_balance(real.id, 1)
    with pytest.raises(InvalidInput, match="cannot be negative"):
        custody.custody.set_balance(wallet.id, -1)
    with pytest.raises(InvalidSignature, match="a simulated custodian sends no webhooks"):
        deliver(custody, simulated, ({"idempotency-key": "x"}, b"{}"))
    assert snapshot(custody) == before


# --- permissions --------------------------------------------------------------------------


def test_viewers_see_custodians_and_wallets_writers_change_them_others_neither(custody, root, fake, simulated):
    custody.access.create_role(root, "custody-desk", ["custody_viewer"])
    custody.access.create_user(root, "viewer@bank.example", roles=["custody-desk"])
    custody.access.create_user(root, "accountant@bank.example", roles=["accountant"])
    viewer, accountant = custody.actor("viewer@bank.example"), custody.actor("accountant@bank.example")
    wallet = open_wallet(custody, simulated)
    assert [c.name for c in custody.custody.custodians(viewer)] == ["Simulated"]
    assert custody.custody.get_wallet(viewer, wallet.id).id == wallet.id
    assert [w.id for w in custody.custody.wallets(viewer)] == [wallet.id]
    assert custody.custody.webhooks(viewer) == []
    before = snapshot(custody)
    for attempt in (
        lambda: custody.custody.create_custodian(viewer, "Mine", "simulated"),
        lambda: custody.custody.deactivate(viewer, simulated.id),
        lambda: custody.custody.rotate_secrets(viewer, simulated.id, api_key="k"),
        lambda: custody.custody.set_balance(wallet.id, 1, actor=viewer),
        lambda: custody.custody.open_wallet(viewer, simulated.id, uuid.uuid4()),
        lambda: custody.custody.custodians(accountant),
        lambda: custody.custody.wallets(accountant),
    ):
        with pytest.raises(PermissionDenied, match="may not custody:"):
            attempt()
    assert snapshot(custody) == before
    custody.access.create_user(root, "ops@bank.example", roles=["admin"])  # admin holds both custody sets
    ops = custody.actor("ops@bank.example")
    assert custody.custody.deactivate(ops, "simulated").active is False

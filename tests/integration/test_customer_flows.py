"""Customers: onboarding, the KYC provider's webhook, status and its cascade, documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lana_core.customer.domain import CustomerError, CustomerStatus, CustomerType, KycLevel, KycStatus, PersonalInfo
from lana_core.customer.kyc import InvalidSignature, sign
from lana_core.deposit.domain import AccountStatus
from lana_core.errors import InvalidInput
from lana_core.eventsourcing.store import DuplicateEntity
from tests.integration.conftest import KYC_SECRET, funded_account, new_customer, snapshot


def webhook(bank, payload: dict, secret: str = KYC_SECRET, signature: str | None = None) -> str:
    body = json.dumps(payload).encode()
    return bank.customers.handle_kyc_webhook(body, signature if signature is not None else sign(secret, body))


def reviewed(customer, answer: str = "GREEN", level: str = "basic-kyc-level", applicant: str = "app-1") -> dict:
    return {"type": "applicantReviewed", "applicantId": applicant, "externalUserId": str(customer.id),
            "levelName": level, "reviewResult": {"reviewAnswer": answer, "rejectLabels": ["FORGERY"]}}


def webhook_log(bank):
    with bank.db.unit_of_work() as uow:
        return uow.conn.execute("SELECT outcome, reason FROM customer.kyc_webhooks ORDER BY id").fetchall()


def test_each_customer_type_can_be_onboarded_and_emails_are_unique(bank, root):
    for t in CustomerType:
        customer = new_customer(bank, root, f"{t.value}@example.com", t)
        assert (customer.customer_type, customer.kyc_status, customer.status) == (
            t, KycStatus.PENDING_VERIFICATION, CustomerStatus.ACTIVE)
    before = snapshot(bank)
    with pytest.raises(DuplicateEntity, match="individual@example.com is already taken"):
        new_customer(bank, root, "Individual@Example.com")
    with pytest.raises(InvalidInput, match="needs a company name"):
        bank.customers.create(root, "acme@example.com", CustomerType.BANK, PersonalInfo(first_name="A"))
    assert snapshot(bank) == before


def test_a_signed_green_review_verifies_the_customer(bank, root):
    customer = new_customer(bank, root)
    assert webhook(bank, {"type": "applicantCreated", "applicantId": "app-1",
                          "externalUserId": str(customer.id)}) == "processed"
    assert webhook(bank, reviewed(customer, level="advanced-kyc-level")) == "processed"
    verified = bank.customers.get(root, customer.id)
    assert (verified.kyc_status, verified.kyc_level, verified.applicant_id) == (
        KycStatus.VERIFIED, KycLevel.ADVANCED, "app-1")


def test_a_red_review_rejects_and_a_later_green_one_verifies(bank, root):
    customer = new_customer(bank, root)
    webhook(bank, reviewed(customer, "RED"))
    assert bank.customers.get(root, customer.id).kyc_status is KycStatus.REJECTED
    webhook(bank, reviewed(customer, "GREEN"))
    assert bank.customers.get(root, customer.id).kyc_level is KycLevel.BASIC


def test_a_bad_signature_is_refused_recorded_and_changes_nothing(bank, root):
    customer = new_customer(bank, root)
    before = snapshot(bank)
    with pytest.raises(InvalidSignature, match="does not match"):
        webhook(bank, reviewed(customer), secret="someone-elses-secret")
    with pytest.raises(InvalidSignature, match="no signature"):
        webhook(bank, reviewed(customer), signature="")
    assert snapshot(bank) == before
    assert bank.customers.get(root, customer.id).kyc_status is KycStatus.PENDING_VERIFICATION
    assert [o for o, _ in webhook_log(bank)] == ["rejected", "rejected"]


def test_a_replayed_delivery_changes_nothing(bank, root):
    customer = new_customer(bank, root)
    payload = reviewed(customer)
    assert webhook(bank, payload) == "processed"
    before = snapshot(bank)
    assert webhook(bank, payload) == "duplicate"
    assert snapshot(bank) == before
    assert [o for o, _ in webhook_log(bank)] == ["processed", "duplicate"]


def test_a_review_for_an_unknown_applicant_or_another_applicant_is_not_applied(bank, root):
    customer = new_customer(bank, root)
    assert webhook(bank, {"type": "applicantReviewed", "applicantId": "nobody",
                          "reviewResult": {"reviewAnswer": "GREEN"}}) == "ignored"
    webhook(bank, {"type": "applicantCreated", "applicantId": "app-1", "externalUserId": str(customer.id)})
    with pytest.raises(CustomerError, match="is applicant app-1"):
        webhook(bank, reviewed(customer, applicant="app-2"))
    assert bank.customers.get(root, customer.id).kyc_status is KycStatus.PENDING_VERIFICATION


def test_verification_can_be_required_before_opening_products(bank, root):
    customer = new_customer(bank, root)
    bank.settings.set(root, "customer.require-verification", True)
    before = snapshot(bank)
    with pytest.raises(CustomerError, match="is not verified"):
        bank.deposits.open_account(root, customer.id)
    assert snapshot(bank) == before
    webhook(bank, reviewed(customer))
    bank.deposits.open_account(root, customer.id)


def test_freezing_a_customer_freezes_their_accounts_through_the_outbox(bank, root):
    customer, account = funded_account(bank, root, 5_000_00)
    second = bank.deposits.open_account(root, customer.id)
    bank.customers.freeze(root, customer.id, "sanctions screening")
    assert bank.deposits.account(root, account.id).status is AccountStatus.FROZEN
    assert bank.deposits.account(root, second.id).status is AccountStatus.FROZEN
    balance = bank.deposits.balance(root, account.id)
    assert (balance.settled, balance.frozen) == (0, 5_000_00)
    with pytest.raises(CustomerError, match="no new products"):
        bank.deposits.open_account(root, customer.id)
    bank.customers.unfreeze(root, customer.id)
    balance = bank.deposits.balance(root, account.id)
    assert (balance.settled, balance.frozen) == (5_000_00, 0)
    assert bank.deposits.account(root, second.id).status is AccountStatus.ACTIVE


def test_a_customer_closes_only_when_their_accounts_are_closed(bank, root):
    customer, account = funded_account(bank, root, 0)
    with pytest.raises(CustomerError, match="1 deposit account"):
        bank.customers.close(root, customer.id)
    bank.deposits.close_account(root, account.id)
    assert bank.customers.close(root, customer.id).status is CustomerStatus.CLOSED
    with pytest.raises(CustomerError, match="closed"):
        bank.customers.freeze(root, customer.id, "late")


def test_documents_are_stored_checked_archived_and_deleted(bank, root, tmp_path):
    customer = new_customer(bank, root)
    doc = bank.customers.upload_document(root, customer.id, "passport.pdf", b"%PDF-1.7 passport scan")
    stored = Path(bank.config.document_folder) / doc.storage_key
    assert stored.read_bytes() == b"%PDF-1.7 passport scan" and doc.content_type == "application/pdf"
    got, content = bank.customers.download_document(root, doc.id)
    assert content == b"%PDF-1.7 passport scan"
    assert bank.customers.archive_document(root, doc.id).status.value == "archived"
    assert bank.customers.delete_document(root, doc.id).status.value == "deleted"
    assert not stored.exists()
    with pytest.raises(CustomerError, match="was deleted"):
        bank.customers.download_document(root, doc.id)
    assert [d.filename for d in bank.customers.documents(root, customer.id)] == ["passport.pdf"]


def test_a_refused_upload_leaves_no_file(bank, root):
    customer = new_customer(bank, root)
    with pytest.raises(InvalidInput):
        bank.customers.upload_document(root, customer.id, "empty.txt", b"")
    bank.customers.close(root, customer.id)
    with pytest.raises(CustomerError):
        bank.customers.upload_document(root, customer.id, "late.txt", b"data")
    folder = Path(bank.config.document_folder)
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_unfreezing_a_customer_leaves_accounts_frozen_for_their_own_reasons(bank, root):
    customer, own = funded_account(bank, root, 100_00)
    other = bank.deposits.open_account(root, customer.id)
    bank.deposits.freeze_account(root, own.id, "court order")
    bank.customers.freeze(root, customer.id, "review")
    bank.customers.unfreeze(root, customer.id)
    assert bank.deposits.account(root, own.id).status is AccountStatus.FROZEN
    assert bank.deposits.account(root, other.id).status is AccountStatus.ACTIVE

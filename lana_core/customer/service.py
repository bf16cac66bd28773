"""Operations on customers and their documents, and the KYC provider's webhook."""

from __future__ import annotations

import hashlib
import mimetypes
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

import psycopg

from lana_core.access.domain import Actor
from lana_core.customer.domain import (
    Customer,
    CustomerActivityChanged,
    CustomerDocument,
    CustomerError,
    CustomerStatus,
    CustomerType,
    KycStatus,
    PersonalInfo,
)
from lana_core.customer.kyc import InvalidSignature, parse_notification, verify_signature
from lana_core.customer.storage import DocumentStorage, LocalFolderStorage
from lana_core.db import UnitOfWork
from lana_core.errors import InvalidInput, LanaError, NotFound, parse_enum

if TYPE_CHECKING:
    from lana_core.app import Lana

KYC_PROVIDER = Actor.system("kyc-provider")
END_OF_DAY = Actor.system("end-of-day")


class CustomerService:
    def __init__(self, app: Lana, storage: DocumentStorage | None = None) -> None:
        self.app = app
        self._storage = storage

    @property
    def storage(self) -> DocumentStorage:
        if self._storage is None:
            folder = self.app.config.document_folder
            if not folder:
                raise LanaError("no document storage is configured (LANA_HOME/documents by default)")
            self._storage = LocalFolderStorage(Path(folder))
        return self._storage

    # --- customers ----------------------------------------------------------------------

    def create(self, actor: Actor, email: str, customer_type: CustomerType, personal_info: PersonalInfo,
               *, telegram: str | None = None) -> Customer:
        with self.app.operation(actor, "customer/customer/*", "customer:customer:create") as uow:
            customer_type = parse_enum(CustomerType, customer_type, "customer type")
            customer = Customer.create(self.app.db.ids(), email, customer_type, personal_info, telegram)
            uow.events.save(customer)
            return customer

    def update_personal_info(self, actor: Actor, customer_id: UUID, info: PersonalInfo) -> Customer:
        with self.app.operation(actor, f"customer/customer/{customer_id}", "customer:customer:update") as uow:
            customer = uow.events.load(Customer, customer_id)
            customer.update_personal_info(info)
            uow.events.save(customer)
            return customer

    def freeze(self, actor: Actor, customer_id: UUID, reason: str) -> Customer:
        """Freeze the customer; their deposit accounts follow (through the outbox)."""
        with self.app.operation(actor, f"customer/customer/{customer_id}", "customer:customer:freeze") as uow:
            return self._change_status(uow, customer_id, lambda c: c.freeze(reason))

    def unfreeze(self, actor: Actor, customer_id: UUID) -> Customer:
        with self.app.operation(actor, f"customer/customer/{customer_id}", "customer:customer:unfreeze") as uow:
            return self._change_status(uow, customer_id, lambda c: c.unfreeze())

    def close(self, actor: Actor, customer_id: UUID) -> Customer:
        with self.app.operation(actor, f"customer/customer/{customer_id}", "customer:customer:close") as uow:
            open_accounts = uow.conn.execute(
                "SELECT count(*) FROM core.entities WHERE stream_type = 'deposit_account' "
                "AND state->>'holder_id' = %s AND state->>'status' <> 'closed'",
                (str(customer_id),),
            ).fetchone()[0]
            if open_accounts:
                raise CustomerError(f"the customer still has {open_accounts} deposit account(s) not closed")
            return self._change_status(uow, customer_id, lambda c: c.close())

    def _change_status(self, uow: UnitOfWork, customer_id: UUID, change) -> Customer:  # type: ignore[no-untyped-def]
        customer = uow.events.load(Customer, customer_id)
        change(customer)
        published = [e for e in customer.pending_events if e.event_type().startswith("Customer")]
        uow.events.save(customer)
        uow.outbox.publish(*published)
        return customer

    def get(self, actor: Actor, customer_id: UUID) -> Customer:
        with self.app.operation(actor, f"customer/customer/{customer_id}", "customer:customer:read") as uow:
            return uow.events.load(Customer, customer_id)

    def find_by_email(self, actor: Actor, email: str) -> Customer:
        with self.app.operation(actor, "customer/customer/*", "customer:customer:read") as uow:
            found = uow.events.find_one(Customer, "lower(state->>'email') = lower(%s)", (email.strip(),))
            if found is None:
                raise NotFound(f"there is no customer {email}")
            return found

    def list(self, actor: Actor, *, status: CustomerStatus | None = None, kyc_status: KycStatus | None = None,
             customer_type: CustomerType | None = None, limit: int = 500) -> list[Customer]:
        with self.app.operation(actor, "customer/customer/*", "customer:customer:list") as uow:
            return uow.events.find_all(
                Customer,
                "(%s::text IS NULL OR state->>'status' = %s) AND (%s::text IS NULL OR state->>'kyc_status' = %s) "
                "AND (%s::text IS NULL OR state->>'customer_type' = %s)",
                (status, status, kyc_status, kyc_status, customer_type, customer_type),
                limit=limit,
            )

    def classify_activity(self, day: date) -> dict[str, int]:
        """End of day: class every customer by their last activity (their deposit accounts'
        movements other than freezing, or any change to the customer); publish the changes, on
        which their deposit accounts follow. Returns how many customers moved to each class."""
        with self.app.db.unit_of_work() as uow:
            rows = uow.conn.execute(
                """
                WITH accounts AS (
                    SELECT (state->>'holder_id')::uuid AS customer_id, stream_id AS account_id
                      FROM core.entities WHERE stream_type = 'deposit_account'),
                moved AS (
                    SELECT a.customer_id, max(e.recorded_at) AS last
                      FROM accounts a JOIN ledger.entries e ON e.account_id = a.account_id
                      JOIN ledger.transactions t ON t.id = e.transaction_id
                     WHERE t.template_code IS DISTINCT FROM 'FREEZE_ACCOUNT'
                       AND t.template_code IS DISTINCT FROM 'UNFREEZE_ACCOUNT'
                     GROUP BY 1),
                changed AS (
                    SELECT stream_id AS customer_id, max(recorded_at) AS last FROM core.events
                     WHERE stream_type = 'customer' AND event_type <> 'CustomerActivityChanged'
                     GROUP BY 1)
                SELECT c.stream_id, greatest(m.last, e.last)
                  FROM core.entities c LEFT JOIN moved m ON m.customer_id = c.stream_id
                  LEFT JOIN changed e ON e.customer_id = c.stream_id
                 WHERE c.stream_type = 'customer' AND c.state->>'status' <> 'closed'
                   AND c.state->>'activity' IS DISTINCT FROM (
                       CASE WHEN %(day)s::date - greatest(m.last, e.last)::date < 365 THEN 'active'
                            WHEN %(day)s::date - greatest(m.last, e.last)::date < 3650 THEN 'inactive'
                            ELSE 'suspended' END)
                """,
                {"day": day},
            ).fetchall()
        moved: dict[str, int] = {}
        for customer_id, last in rows:
            with self.app.operation(END_OF_DAY, f"customer/customer/{customer_id}",
                                    "customer:customer:classify-activity") as uow:
                customer = uow.events.load(Customer, customer_id)
                if customer.classify_activity(last.date(), day):
                    events = [e for e in customer.pending_events if isinstance(e, CustomerActivityChanged)]
                    uow.events.save(customer)
                    uow.outbox.publish(*events)
                    moved[customer.activity.value] = moved.get(customer.activity.value, 0) + 1
        return moved

    def eligible_for_product(self, uow: UnitOfWork, customer_id: UUID) -> Customer:
        """The customer, if they may open a deposit account or a credit facility now."""
        customer = uow.events.load(Customer, customer_id)
        if not customer.may_attach_product:
            raise CustomerError(f"customer {customer.email} is {customer.status}: no new products")
        if self.app.settings.value(uow, "customer.require-verification") and customer.kyc_status is not KycStatus.VERIFIED:
            raise CustomerError(
                f"customer {customer.email} is not verified (KYC: {customer.kyc_status}) and "
                "verification is required"
            )
        return customer

    # --- KYC webhook --------------------------------------------------------------------

    def handle_kyc_webhook(self, body: bytes, signature: str | None) -> str:
        """Verify and apply one KYC-provider notification; returns the outcome recorded.

        A bad signature or an unreadable body is refused (and recorded); a delivery seen before
        is recorded as a duplicate and changes nothing.
        """
        secret = self.app.config.kyc_webhook_secret
        if not secret:
            raise LanaError("the KYC webhook secret is not configured (LANA_KYC_WEBHOOK_SECRET)")
        digest = hashlib.sha256(body).hexdigest()
        try:
            verify_signature(secret, body, signature)
            notification = parse_notification(body)
        except (InvalidSignature, InvalidInput) as exc:
            self._log_webhook(digest, "rejected", str(exc), None, body)
            raise
        target = notification.customer_id
        obj = f"customer/customer/{target or notification.applicant_id}"
        try:
            with self.app.operation(KYC_PROVIDER, obj, "customer:customer:record-kyc") as uow:
                if self._seen(uow, digest):
                    self._insert_webhook(uow, digest, "duplicate", "delivered before", target, body)
                    return "duplicate"
                customer = self._customer_for(uow, notification.customer_id, notification.applicant_id)
                if customer is None or notification.kind == "ignored":
                    reason = "unknown applicant" if customer is None else "notification type not used"
                    self._insert_webhook(uow, digest, "ignored", reason, target, body)
                    return "ignored"
                if notification.kind == "applicant_created":
                    customer.link_applicant(notification.applicant_id)
                elif notification.kind == "verified":
                    customer.verify(notification.applicant_id, notification.level)
                else:
                    customer.reject(notification.applicant_id, notification.reason)
                uow.events.save(customer)
                self._insert_webhook(uow, digest, "processed", notification.kind, customer.id, body)
                return "processed"
        except psycopg.errors.UniqueViolation:
            # The same delivery, processed concurrently by another request, won the race.
            self._log_webhook(digest, "duplicate", "delivered twice at once", target, body)
            return "duplicate"

    def _seen(self, uow: UnitOfWork, digest: str) -> bool:
        return uow.conn.execute(
            "SELECT 1 FROM customer.kyc_webhooks WHERE digest = %s AND outcome = 'processed'", (digest,)
        ).fetchone() is not None

    def _customer_for(self, uow: UnitOfWork, customer_id: UUID | None, applicant_id: str) -> Customer | None:
        if customer_id is not None:
            return uow.events.find(Customer, customer_id)
        return uow.events.find_one(Customer, "state->>'applicant_id' = %s", (applicant_id,))

    def _insert_webhook(self, uow: UnitOfWork, digest: str, outcome: str, reason: str | None,
                        customer_id: UUID | None, body: bytes) -> None:
        uow.conn.execute(
            "INSERT INTO customer.kyc_webhooks (received_at, digest, outcome, reason, customer_id, body) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (self.app.clock.now(), digest, outcome, reason, customer_id, body.decode("utf-8", "replace")),
        )

    def _log_webhook(self, digest: str, outcome: str, reason: str, customer_id: UUID | None, body: bytes) -> None:
        with self.app.db.unit_of_work() as uow:
            self._insert_webhook(uow, digest, outcome, reason, customer_id, body)
            uow.commit()

    def kyc_webhooks(self, actor: Actor, limit: int = 50) -> list[tuple]:
        with self.app.operation(actor, "customer/customer/*", "customer:customer:read") as uow:
            return uow.conn.execute(
                "SELECT id, received_at, outcome, reason, customer_id FROM customer.kyc_webhooks "
                "ORDER BY id DESC LIMIT %s", (limit,)
            ).fetchall()

    # --- documents ----------------------------------------------------------------------

    def upload_document(self, actor: Actor, customer_id: UUID, filename: str, content: bytes,
                        content_type: str | None = None) -> CustomerDocument:
        """Store the file, then record it. If recording fails, the stored file is removed."""
        document_id = self.app.db.ids()
        key = f"customers/{customer_id}/{document_id}"
        content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        stored = False
        try:
            with self.app.operation(actor, f"customer/document/{customer_id}", "customer:document:create") as uow:
                customer = uow.events.load(Customer, customer_id)
                if customer.status is CustomerStatus.CLOSED:
                    raise CustomerError(f"customer {customer.email} is closed")
                document = CustomerDocument.upload(
                    document_id, customer_id, filename, content_type, len(content),
                    hashlib.sha256(content).hexdigest(), key,
                )
                self.storage.put(key, content)
                stored = True
                uow.events.save(document)
                return document
        except BaseException:
            if stored:
                self.storage.delete(key)
            raise

    def documents(self, actor: Actor, customer_id: UUID) -> list[CustomerDocument]:
        with self.app.operation(actor, f"customer/document/{customer_id}", "customer:document:list") as uow:
            return uow.events.find_all(CustomerDocument, "state->>'customer_id' = %s", (str(customer_id),))

    def download_document(self, actor: Actor, document_id: UUID) -> tuple[CustomerDocument, bytes]:
        with self.app.operation(actor, f"customer/document/{document_id}", "customer:document:read") as uow:
            document = uow.events.load(CustomerDocument, document_id)
            if document.status.value == "deleted":
                raise CustomerError(f"document {document.filename} was deleted")
            content = self.storage.get(document.storage_key)
            if hashlib.sha256(content).hexdigest() != document.sha256:
                raise LanaError(f"document {document.filename} does not match its recorded checksum")
            return document, content

    def archive_document(self, actor: Actor, document_id: UUID) -> CustomerDocument:
        with self.app.operation(actor, f"customer/document/{document_id}", "customer:document:archive") as uow:
            document = uow.events.load(CustomerDocument, document_id)
            document.archive()
            uow.events.save(document)
            return document

    def delete_document(self, actor: Actor, document_id: UUID) -> CustomerDocument:
        """Record the deletion, then remove the file (a file left behind is harmless)."""
        with self.app.operation(actor, f"customer/document/{document_id}", "customer:document:delete") as uow:
            document = uow.events.load(CustomerDocument, document_id)
            document.delete()
            uow.events.save(document)
        self.storage.delete(document.storage_key)
        return document


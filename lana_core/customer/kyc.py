"""The KYC provider's webhook: signature check and what a notification means. Pure functions.

The provider signs each call with HMAC-SHA256 over the raw body, hex-encoded in the
``X-Payload-Digest`` header (Sumsub's scheme). Notifications (JSON):

    {"type": "applicantCreated",  "applicantId": "...", "externalUserId": "<customer id>"}
    {"type": "applicantReviewed", "applicantId": "...", "externalUserId": "<customer id>",
     "levelName": "basic-kyc-level" | "advanced-kyc-level",
     "reviewResult": {"reviewAnswer": "GREEN" | "RED", "rejectLabels": ["..."]}}

Other types are accepted and ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from uuid import UUID

from lana_core.customer.domain import KycLevel
from lana_core.errors import InvalidInput, LanaError

SIGNATURE_HEADER = "x-payload-digest"


class InvalidSignature(LanaError):
    """The webhook's signature does not match its body: it did not come from the provider."""


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, signature: str | None) -> None:
    if not signature:
        raise InvalidSignature("the KYC webhook has no signature")
    if not hmac.compare_digest(sign(secret, body), signature.strip().lower()):
        raise InvalidSignature("the KYC webhook's signature does not match its body")


@dataclass(frozen=True)
class KycNotification:
    """kind: applicant_created, verified, rejected or ignored; customer_id: the customer the
    provider's applicant belongs to; level and reason for reviews."""

    kind: str
    applicant_id: str
    customer_id: UUID | None
    level: KycLevel = KycLevel.NONE
    reason: str = ""


def parse_notification(body: bytes) -> KycNotification:
    try:
        data = json.loads(body)
        kind = data["type"]
        applicant_id = str(data["applicantId"])
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("the KYC webhook body is not a notification (JSON with type and applicantId)") from None
    customer_id = None
    if data.get("externalUserId"):
        try:
            customer_id = UUID(str(data["externalUserId"]))
        except ValueError:
            raise InvalidInput(f"externalUserId {data['externalUserId']!r} is not a customer id") from None
    if kind == "applicantCreated":
        return KycNotification("applicant_created", applicant_id, customer_id)
    if kind == "applicantReviewed":
        result = data.get("reviewResult") or {}
        answer = result.get("reviewAnswer")
        if answer == "GREEN":
            level = KycLevel.ADVANCED if "advanced" in str(data.get("levelName", "")) else KycLevel.BASIC
            return KycNotification("verified", applicant_id, customer_id, level=level)
        if answer == "RED":
            labels = ", ".join(result.get("rejectLabels") or []) or "no reason given"
            return KycNotification("rejected", applicant_id, customer_id, reason=labels)
        raise InvalidInput(f"unknown review answer {answer!r}")
    return KycNotification("ignored", applicant_id, customer_id)

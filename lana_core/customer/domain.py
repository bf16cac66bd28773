"""The customer and their documents. Plain Python: no database here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from lana_core.errors import InvalidInput, LanaError
from lana_core.eventsourcing import Aggregate, Event

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CustomerType(StrEnum):
    """Decides the customer's accounting and regulatory treatment (which chart nodes)."""

    INDIVIDUAL = "individual"
    GOVERNMENT_ENTITY = "government_entity"
    PRIVATE_COMPANY = "private_company"
    BANK = "bank"
    FINANCIAL_INSTITUTION = "financial_institution"
    FOREIGN_AGENCY_OR_SUBSIDIARY = "foreign_agency_or_subsidiary"
    NON_DOMICILED_COMPANY = "non_domiciled_company"

    @property
    def is_person(self) -> bool:
        return self is CustomerType.INDIVIDUAL


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    FROZEN = "frozen"  # no new products or operations
    CLOSED = "closed"  # final


class KycStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"
    VERIFIED = "verified"
    REJECTED = "rejected"


class CustomerActivity(StrEnum):
    """How recently the customer did anything: active (< 1 year), inactive (1 to 10 years),
    suspended (> 10 years: their deposit accounts are frozen, an escheatment hold)."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"

    @classmethod
    def after(cls, idle_days: int) -> CustomerActivity:
        if idle_days < 365:
            return cls.ACTIVE
        return cls.INACTIVE if idle_days < 3650 else cls.SUSPENDED


class KycLevel(StrEnum):
    NONE = "none"
    BASIC = "basic"
    ADVANCED = "advanced"


class CustomerError(LanaError):
    pass


@dataclass(frozen=True)
class PersonalInfo:
    """first_name/last_name and date_of_birth for people; company_name for organisations;
    nationality: ISO 3166 alpha-2 country code; address: postal address, one line."""

    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    date_of_birth: date | None = None
    nationality: str | None = None
    address: str | None = None
    phone: str | None = None

    def problems(self, customer_type: CustomerType) -> list[str]:
        out = []
        blank = lambda text: not (text and text.strip())  # noqa: E731
        if customer_type.is_person and (blank(self.first_name) or blank(self.last_name)):
            out.append("an individual needs a first and a last name")
        if not customer_type.is_person and blank(self.company_name):
            out.append(f"a {customer_type.value.replace('_', ' ')} needs a company name")
        if self.nationality is not None and not re.fullmatch(r"[A-Z]{2}", self.nationality):
            out.append(f"nationality is a two-letter country code (e.g. SV), got {self.nationality!r}")
        return out


@dataclass(frozen=True)
class CustomerCreated(Event):
    email: str
    telegram: str | None
    customer_type: CustomerType
    personal_info: PersonalInfo


@dataclass(frozen=True)
class PersonalInfoUpdated(Event):
    personal_info: PersonalInfo


@dataclass(frozen=True)
class KycApplicantLinked(Event):
    applicant_id: str


@dataclass(frozen=True)
class KycVerified(Event):
    applicant_id: str
    level: KycLevel


@dataclass(frozen=True)
class KycRejected(Event):
    applicant_id: str
    reason: str


@dataclass(frozen=True)
class CustomerFrozen(Event):
    customer_id: UUID
    reason: str


@dataclass(frozen=True)
class CustomerUnfrozen(Event):
    customer_id: UUID


@dataclass(frozen=True)
class CustomerClosed(Event):
    customer_id: UUID


@dataclass(frozen=True)
class CustomerActivityChanged(Event):
    customer_id: UUID
    activity: CustomerActivity
    last_activity: date


class Customer(Aggregate):
    """A customer of the bank.

    email: contact and unique key; customer_type: see CustomerType; status: active, frozen or
    closed; kyc_status / kyc_level: where identity verification stands (driven by the KYC
    provider's webhook); applicant_id: the customer's file at the KYC provider.
    """

    stream_type = "customer"
    event_types = (
        CustomerCreated, PersonalInfoUpdated, KycApplicantLinked, KycVerified, KycRejected,
        CustomerFrozen, CustomerUnfrozen, CustomerClosed, CustomerActivityChanged,
    )

    email: str
    telegram: str | None
    customer_type: CustomerType
    personal_info: PersonalInfo
    status: CustomerStatus
    kyc_status: KycStatus
    kyc_level: KycLevel
    applicant_id: str | None
    activity: CustomerActivity

    @classmethod
    def create(cls, id: UUID, email: str, customer_type: CustomerType, personal_info: PersonalInfo,
               telegram: str | None = None) -> Customer:
        email = email.strip().lower()
        problems = [] if _EMAIL.match(email) else [f"{email!r} is not an email address"]
        problems += personal_info.problems(customer_type)
        if problems:
            raise InvalidInput("; ".join(problems))
        customer = cls(id)
        customer._record(CustomerCreated(email, telegram, customer_type, personal_info))
        return customer

    @property
    def name(self) -> str:
        info = self.personal_info
        if self.customer_type.is_person:
            return f"{info.first_name} {info.last_name}"
        return info.company_name or self.email

    @property
    def may_attach_product(self) -> bool:
        return self.status is CustomerStatus.ACTIVE

    def update_personal_info(self, info: PersonalInfo) -> None:
        self._check_not_closed()
        problems = info.problems(self.customer_type)
        if problems:
            raise InvalidInput("; ".join(problems))
        if info != self.personal_info:
            self._record(PersonalInfoUpdated(info))

    def link_applicant(self, applicant_id: str) -> None:
        self._check_not_closed()
        if self.applicant_id != applicant_id:
            self._record(KycApplicantLinked(applicant_id))

    def verify(self, applicant_id: str, level: KycLevel) -> None:
        self._check_not_closed()
        if level is KycLevel.NONE:
            raise InvalidInput("a verification needs a level (basic or advanced)")
        self._check_applicant(applicant_id)
        if (self.kyc_status, self.kyc_level) != (KycStatus.VERIFIED, level):
            self._record(KycVerified(applicant_id, level))

    def reject(self, applicant_id: str, reason: str) -> None:
        self._check_not_closed()
        self._check_applicant(applicant_id)
        if self.kyc_status is not KycStatus.REJECTED:
            self._record(KycRejected(applicant_id, reason or "rejected by the KYC provider"))

    def freeze(self, reason: str) -> None:
        if self.status is CustomerStatus.CLOSED:
            raise CustomerError(f"customer {self.email} is closed")
        if not reason.strip():
            raise InvalidInput("freezing a customer needs a reason")
        if self.status is not CustomerStatus.FROZEN:
            self._record(CustomerFrozen(self.id, reason.strip()))

    def unfreeze(self) -> None:
        if self.status is not CustomerStatus.FROZEN:
            raise CustomerError(f"customer {self.email} is not frozen (status: {self.status})")
        self._record(CustomerUnfrozen(self.id))

    def close(self) -> None:
        if self.status is CustomerStatus.CLOSED:
            raise CustomerError(f"customer {self.email} is already closed")
        self._record(CustomerClosed(self.id))

    def classify_activity(self, last_activity: date, today: date) -> bool:
        """Record the activity class for the days since ``last_activity``; True if it changed."""
        activity = CustomerActivity.after((today - last_activity).days)
        if activity is self.activity or self.status is CustomerStatus.CLOSED:
            return False
        self._record(CustomerActivityChanged(self.id, activity, last_activity))
        return True

    def _check_not_closed(self) -> None:
        if self.status is CustomerStatus.CLOSED:
            raise CustomerError(f"customer {self.email} is closed")

    def _check_applicant(self, applicant_id: str) -> None:
        if self.applicant_id is not None and self.applicant_id != applicant_id:
            raise CustomerError(
                f"the review is for applicant {applicant_id}, but customer {self.email} is applicant "
                f"{self.applicant_id}"
            )

    def _apply(self, event: Event) -> None:
        match event:
            case CustomerCreated(email, telegram, customer_type, info):
                self.email, self.telegram, self.customer_type, self.personal_info = email, telegram, customer_type, info
                self.status, self.activity = CustomerStatus.ACTIVE, CustomerActivity.ACTIVE
                self.kyc_status, self.kyc_level, self.applicant_id = KycStatus.PENDING_VERIFICATION, KycLevel.NONE, None
            case PersonalInfoUpdated(info):
                self.personal_info = info
            case KycApplicantLinked(applicant_id):
                self.applicant_id = applicant_id
            case KycVerified(applicant_id, level):
                self.applicant_id, self.kyc_status, self.kyc_level = applicant_id, KycStatus.VERIFIED, level
            case KycRejected(applicant_id, _):
                self.applicant_id, self.kyc_status, self.kyc_level = applicant_id, KycStatus.REJECTED, KycLevel.NONE
            case CustomerFrozen():
                self.status = CustomerStatus.FROZEN
            case CustomerUnfrozen():
                self.status = CustomerStatus.ACTIVE
            case CustomerClosed():
                self.status = CustomerStatus.CLOSED
            case CustomerActivityChanged(activity=activity):
                self.activity = activity


# --- documents ----------------------------------------------------------------------------


class DocumentStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"  # kept, no longer current
    DELETED = "deleted"    # the file is gone; the record stays


@dataclass(frozen=True)
class DocumentUploaded(Event):
    customer_id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str


@dataclass(frozen=True)
class DocumentArchived(Event):
    pass


@dataclass(frozen=True)
class DocumentDeleted(Event):
    pass


class CustomerDocument(Aggregate):
    """A file about a customer (ID scan, proof of address, ...). The file itself lives in the
    document storage under ``storage_key``; sha256 and size describe it."""

    stream_type = "customer_document"
    event_types = (DocumentUploaded, DocumentArchived, DocumentDeleted)

    customer_id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    status: DocumentStatus

    @classmethod
    def upload(cls, id: UUID, customer_id: UUID, filename: str, content_type: str, size: int, sha256: str,
               storage_key: str) -> CustomerDocument:
        if not filename.strip() or "/" in filename:
            raise InvalidInput(f"{filename!r} is not a file name")
        if size <= 0:
            raise InvalidInput("the document is empty")
        document = cls(id)
        document._record(DocumentUploaded(customer_id, filename, content_type, size, sha256, storage_key))
        return document

    def archive(self) -> None:
        if self.status is not DocumentStatus.ACTIVE:
            raise CustomerError(f"document {self.filename} is {self.status}, not active")
        self._record(DocumentArchived())

    def delete(self) -> None:
        if self.status is DocumentStatus.DELETED:
            raise CustomerError(f"document {self.filename} is already deleted")
        self._record(DocumentDeleted())

    def _apply(self, event: Event) -> None:
        match event:
            case DocumentUploaded(customer_id, filename, content_type, size, sha256, key):
                self.customer_id, self.filename, self.content_type = customer_id, filename, content_type
                self.size, self.sha256, self.storage_key = size, sha256, key
                self.status = DocumentStatus.ACTIVE
            case DocumentArchived():
                self.status = DocumentStatus.ARCHIVED
            case DocumentDeleted():
                self.status = DocumentStatus.DELETED

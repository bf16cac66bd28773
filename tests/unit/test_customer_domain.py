from datetime import date
from uuid import uuid4

import pytest

from lana_core.customer.domain import (
    Customer,
    CustomerClosed,
    CustomerCreated,
    CustomerDocument,
    CustomerError,
    CustomerFrozen,
    CustomerStatus,
    CustomerType,
    CustomerUnfrozen,
    DocumentArchived,
    DocumentDeleted,
    DocumentStatus,
    DocumentUploaded,
    KycApplicantLinked,
    KycLevel,
    KycRejected,
    KycStatus,
    KycVerified,
    PersonalInfo,
    PersonalInfoUpdated,
)
from lana_core.errors import InvalidInput
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly, refused

ANA = PersonalInfo(first_name="Ana", last_name="Pérez", date_of_birth=date(1990, 5, 17), nationality="SV",
                   address="Calle 1, San Salvador", phone="+503 2222 0000")
ACME = PersonalInfo(company_name="Acme S.A. de C.V.", nationality="SV")


def a_customer(info: PersonalInfo = ANA, customer_type: CustomerType = CustomerType.INDIVIDUAL) -> Customer:
    return Customer.create(uuid4(), "ana@example.sv", customer_type, info)


def a_closed_customer() -> Customer:
    customer = a_customer()
    customer.link_applicant("app-1")
    customer.close()
    return customer


# --- creation -----------------------------------------------------------------------------


def test_a_new_customer_is_active_and_waits_for_verification():
    customer = Customer.create(uuid4(), "  Ana@Example.SV ", CustomerType.INDIVIDUAL, ANA, telegram="@ana")
    assert customer.email == "ana@example.sv"
    assert customer.telegram == "@ana"
    assert customer.customer_type is CustomerType.INDIVIDUAL
    assert customer.personal_info == ANA
    assert customer.status is CustomerStatus.ACTIVE
    assert (customer.kyc_status, customer.kyc_level, customer.applicant_id) == (
        KycStatus.PENDING_VERIFICATION, KycLevel.NONE, None
    )
    assert customer.pending_events == [CustomerCreated("ana@example.sv", "@ana", CustomerType.INDIVIDUAL, ANA)]
    assert customer.version == 1


def test_an_individual_is_named_by_first_and_last_name():
    assert a_customer().name == "Ana Pérez"


def test_an_organisation_is_named_by_its_company_name():
    assert a_customer(ACME, CustomerType.PRIVATE_COMPANY).name == "Acme S.A. de C.V."


@pytest.mark.parametrize("customer_type", [t for t in CustomerType if t is not CustomerType.INDIVIDUAL])
def test_every_kind_of_organisation_needs_a_company_name(customer_type):
    assert a_customer(ACME, customer_type).customer_type is customer_type
    with raises_exactly(InvalidInput, f"a {customer_type.value.replace('_', ' ')} needs a company name"):
        Customer.create(uuid4(), "org@example.sv", customer_type, PersonalInfo(first_name="A", last_name="B"))


@pytest.mark.parametrize("info", [PersonalInfo(), PersonalInfo(first_name="Ana"), PersonalInfo(last_name="Pérez"),
                                  PersonalInfo(first_name="", last_name="Pérez"),
                                  PersonalInfo(company_name="Acme")])
def test_an_individual_needs_a_first_and_a_last_name(info):
    with raises_exactly(InvalidInput, "an individual needs a first and a last name"):
        Customer.create(uuid4(), "ana@example.sv", CustomerType.INDIVIDUAL, info)


@pytest.mark.parametrize("email", ["", "ana", "ana@example", "ana @example.sv", "@example.sv"])
def test_a_customer_needs_an_email_address(email):
    with raises_exactly(InvalidInput, "is not an email address"):
        Customer.create(uuid4(), email, CustomerType.INDIVIDUAL, ANA)


@pytest.mark.parametrize("nationality", ["sv", "SLV", "S", "", "S1"])
def test_nationality_is_a_two_letter_upper_case_country_code(nationality):
    info = PersonalInfo(first_name="Ana", last_name="Pérez", nationality=nationality)
    with raises_exactly(InvalidInput, "nationality is a two-letter country code (e.g. SV)"):
        Customer.create(uuid4(), "ana@example.sv", CustomerType.INDIVIDUAL, info)


def test_every_problem_with_a_new_customer_is_reported_at_once():
    with raises_exactly(InvalidInput, "") as caught:
        Customer.create(uuid4(), "nope", CustomerType.BANK, PersonalInfo(nationality="xx"))
    assert str(caught.value) == (
        "'nope' is not an email address; a bank needs a company name; "
        "nationality is a two-letter country code (e.g. SV), got 'xx'"
    )


@pytest.mark.parametrize("customer_type, info", [
    (CustomerType.INDIVIDUAL, PersonalInfo(first_name="  ", last_name="Pérez")),
    (CustomerType.INDIVIDUAL, PersonalInfo(first_name="Ana", last_name=" ")),
    (CustomerType.PRIVATE_COMPANY, PersonalInfo(company_name="   ")),
])
def test_a_blank_name_counts_as_no_name(customer_type, info):
    with raises_exactly(InvalidInput, "needs a"):
        Customer.create(uuid4(), "ana@example.sv", customer_type, info)


# --- personal information -------------------------------------------------------------------


def test_updating_personal_information_records_the_new_information():
    customer = a_customer()
    moved = PersonalInfo(first_name="Ana", last_name="Pérez", address="Avenida 2, Santa Ana")
    customer.update_personal_info(moved)
    assert customer.personal_info == moved
    assert customer.pending_events[-1] == PersonalInfoUpdated(moved)
    assert customer.version == 2


def test_updating_personal_information_to_the_same_values_records_nothing():
    customer = a_customer()
    customer.update_personal_info(PersonalInfo(**vars(ANA)))
    assert customer.version == 1


def test_updating_personal_information_checks_it_like_at_creation():
    customer = a_customer()
    with refused(customer, InvalidInput, "an individual needs a first and a last name"):
        customer.update_personal_info(PersonalInfo(first_name="Ana"))
    company = a_customer(ACME, CustomerType.PRIVATE_COMPANY)
    with refused(company, InvalidInput, "a private company needs a company name"):
        company.update_personal_info(PersonalInfo(nationality="SV"))


def test_a_frozen_customers_information_can_still_be_corrected():
    customer = a_customer()
    customer.freeze("court order")
    customer.update_personal_info(PersonalInfo(first_name="Ana", last_name="Pérez de León"))
    assert customer.name == "Ana Pérez de León"


def test_a_closed_customers_information_cannot_change():
    customer = a_closed_customer()
    with refused(customer, CustomerError, "customer ana@example.sv is closed"):
        customer.update_personal_info(PersonalInfo(first_name="Ana", last_name="López"))


# --- KYC ------------------------------------------------------------------------------------


def test_linking_the_kyc_applicant_records_it_once():
    customer = a_customer()
    customer.link_applicant("app-1")
    customer.link_applicant("app-1")
    assert customer.applicant_id == "app-1"
    assert customer.kyc_status is KycStatus.PENDING_VERIFICATION
    assert customer.pending_events[1:] == [KycApplicantLinked("app-1")]


@pytest.mark.parametrize("level", [KycLevel.BASIC, KycLevel.ADVANCED])
def test_a_pending_customer_is_verified_at_a_level(level):
    customer = a_customer()
    customer.link_applicant("app-1")
    customer.verify("app-1", level)
    assert (customer.kyc_status, customer.kyc_level) == (KycStatus.VERIFIED, level)
    assert customer.pending_events[-1] == KycVerified("app-1", level)


def test_a_verification_without_a_linked_applicant_links_it():
    customer = a_customer()
    customer.verify("app-9", KycLevel.BASIC)
    assert (customer.applicant_id, customer.kyc_status, customer.kyc_level) == (
        "app-9", KycStatus.VERIFIED, KycLevel.BASIC
    )


def test_a_verification_needs_a_level():
    customer = a_customer()
    customer.link_applicant("app-1")
    with refused(customer, InvalidInput, "a verification needs a level (basic or advanced)"):
        customer.verify("app-1", KycLevel.NONE)


def test_a_verification_for_another_applicant_is_refused():
    customer = a_customer()
    customer.link_applicant("app-1")
    with refused(customer, CustomerError,
                 "the review is for applicant app-2, but customer ana@example.sv is applicant app-1"):
        customer.verify("app-2", KycLevel.BASIC)
    assert customer.kyc_status is KycStatus.PENDING_VERIFICATION


def test_the_same_verification_twice_records_it_once():
    customer = a_customer()
    customer.link_applicant("app-1")
    customer.verify("app-1", KycLevel.BASIC)
    customer.verify("app-1", KycLevel.BASIC)
    assert customer.version == 3


def test_a_basic_verification_can_be_raised_to_advanced():
    customer = a_customer()
    customer.link_applicant("app-1")
    customer.verify("app-1", KycLevel.BASIC)
    customer.verify("app-1", KycLevel.ADVANCED)
    assert (customer.kyc_status, customer.kyc_level) == (KycStatus.VERIFIED, KycLevel.ADVANCED)
    assert customer.version == 4


def test_a_pending_customer_can_be_rejected_with_a_reason():
    customer = a_customer()
    customer.link_applicant("app-1")
    customer.reject("app-1", "document expired")
    assert (customer.kyc_status, customer.kyc_level) == (KycStatus.REJECTED, KycLevel.NONE)
    assert customer.pending_events[-1] == KycRejected("app-1", "document expired")


def test_a_rejection_without_a_reason_gets_a_default_one():
    customer = a_customer()
    customer.reject("app-1", "")
    assert customer.pending_events[-1] == KycRejected("app-1", "rejected by the KYC provider")
    assert customer.applicant_id == "app-1"


def test_a_second_rejection_records_nothing():
    customer = a_customer()
    customer.reject("app-1", "blurry photo")
    customer.reject("app-1", "still blurry")
    assert customer.version == 2


def test_a_rejection_for_another_applicant_is_refused():
    customer = a_customer()
    customer.link_applicant("app-1")
    with refused(customer, CustomerError, "the review is for applicant app-2"):
        customer.reject("app-2", "fraud")


def test_a_rejection_removes_a_previous_verification_level():
    customer = a_customer()
    customer.verify("app-1", KycLevel.ADVANCED)
    customer.reject("app-1", "sanctions hit")
    assert (customer.kyc_status, customer.kyc_level) == (KycStatus.REJECTED, KycLevel.NONE)


def test_a_rejected_customer_can_be_verified_after_a_new_review():
    customer = a_customer()
    customer.reject("app-1", "blurry photo")
    customer.verify("app-1", KycLevel.BASIC)
    assert (customer.kyc_status, customer.kyc_level) == (KycStatus.VERIFIED, KycLevel.BASIC)


def test_a_closed_customer_cannot_be_verified():
    customer = a_closed_customer()
    with refused(customer, CustomerError, "customer ana@example.sv is closed"):
        customer.verify("app-1", KycLevel.BASIC)


def test_a_closed_customer_cannot_be_rejected():
    customer = a_closed_customer()
    with refused(customer, CustomerError, "customer ana@example.sv is closed"):
        customer.reject("app-1", "fraud")


def test_a_closed_customer_cannot_be_linked_to_a_new_applicant():
    customer = a_closed_customer()
    with refused(customer, CustomerError, "customer ana@example.sv is closed"):
        customer.link_applicant("app-2")


# --- status ---------------------------------------------------------------------------------


def test_freezing_a_customer_keeps_the_trimmed_reason_and_stops_new_products():
    customer = a_customer()
    assert customer.may_attach_product
    customer.freeze("  court order 12/2026 ")
    assert customer.status is CustomerStatus.FROZEN
    assert not customer.may_attach_product
    assert customer.pending_events[-1] == CustomerFrozen(customer.id, "court order 12/2026")


@pytest.mark.parametrize("reason", ["", "   "])
def test_freezing_needs_a_reason(reason):
    customer = a_customer()
    with refused(customer, InvalidInput, "freezing a customer needs a reason"):
        customer.freeze(reason)


def test_freezing_a_frozen_customer_records_nothing():
    customer = a_customer()
    customer.freeze("court order")
    customer.freeze("another order")
    assert customer.version == 2


def test_unfreezing_makes_the_customer_active_again():
    customer = a_customer()
    customer.freeze("court order")
    customer.unfreeze()
    assert customer.status is CustomerStatus.ACTIVE
    assert customer.may_attach_product
    assert customer.pending_events[-1] == CustomerUnfrozen(customer.id)


def test_only_a_frozen_customer_can_be_unfrozen():
    customer = a_customer()
    with refused(customer, CustomerError, "customer ana@example.sv is not frozen (status: active)"):
        customer.unfreeze()


@pytest.mark.parametrize("frozen_first", [False, True])
def test_an_active_or_frozen_customer_can_be_closed(frozen_first):
    customer = a_customer()
    if frozen_first:
        customer.freeze("court order")
    customer.close()
    assert customer.status is CustomerStatus.CLOSED
    assert not customer.may_attach_product
    assert customer.pending_events[-1] == CustomerClosed(customer.id)


def test_a_closed_customer_cannot_be_closed_again():
    customer = a_closed_customer()
    with refused(customer, CustomerError, "customer ana@example.sv is already closed"):
        customer.close()


def test_a_closed_customer_cannot_be_frozen():
    customer = a_closed_customer()
    with refused(customer, CustomerError, "customer ana@example.sv is closed"):
        customer.freeze("court order")


def test_a_closed_customer_cannot_be_unfrozen():
    customer = a_closed_customer()
    with refused(customer, CustomerError, "customer ana@example.sv is not frozen (status: closed)"):
        customer.unfreeze()


def test_a_customer_rehydrates_from_its_events():
    customer = a_customer()
    customer.update_personal_info(PersonalInfo(first_name="Ana", last_name="Pérez", nationality="GT"))
    customer.link_applicant("app-1")
    customer.verify("app-1", KycLevel.BASIC)
    customer.reject("app-1", "expired")
    customer.verify("app-1", KycLevel.ADVANCED)
    customer.freeze("court order")
    customer.unfreeze()
    customer.close()
    assert_rehydrates(customer)


def test_an_organisation_rehydrates_from_its_events():
    customer = Customer.create(uuid4(), "bank@example.sv", CustomerType.FINANCIAL_INSTITUTION, ACME, "@acme")
    customer.freeze("audit")
    assert_rehydrates(customer)


# --- documents ------------------------------------------------------------------------------


def a_document() -> CustomerDocument:
    return CustomerDocument.upload(uuid4(), uuid4(), "passport.pdf", "application/pdf", 2048, "ab" * 32,
                                   "customers/1/passport.pdf")


def test_an_uploaded_document_is_active_and_describes_its_file():
    customer_id = uuid4()
    document = CustomerDocument.upload(uuid4(), customer_id, "passport.pdf", "application/pdf", 2048, "ab" * 32,
                                       "customers/1/passport.pdf")
    assert document.status is DocumentStatus.ACTIVE
    assert (document.customer_id, document.filename, document.content_type, document.size, document.sha256,
            document.storage_key) == (customer_id, "passport.pdf", "application/pdf", 2048, "ab" * 32,
                                      "customers/1/passport.pdf")
    assert document.pending_events == [DocumentUploaded(customer_id, "passport.pdf", "application/pdf", 2048,
                                                        "ab" * 32, "customers/1/passport.pdf")]


@pytest.mark.parametrize("filename", ["", "   ", "scans/passport.pdf", "../passport.pdf"])
def test_a_document_needs_a_plain_file_name(filename):
    with raises_exactly(InvalidInput, "is not a file name"):
        CustomerDocument.upload(uuid4(), uuid4(), filename, "application/pdf", 10, "ab" * 32, "k")


@pytest.mark.parametrize("size", [0, -1])
def test_an_empty_document_is_refused(size):
    with raises_exactly(InvalidInput, "the document is empty"):
        CustomerDocument.upload(uuid4(), uuid4(), "passport.pdf", "application/pdf", size, "ab" * 32, "k")


def test_an_active_document_can_be_archived_then_deleted():
    document = a_document()
    document.archive()
    assert document.status is DocumentStatus.ARCHIVED
    document.delete()
    assert document.status is DocumentStatus.DELETED
    assert document.pending_events[1:] == [DocumentArchived(), DocumentDeleted()]


def test_an_active_document_can_be_deleted():
    document = a_document()
    document.delete()
    assert document.status is DocumentStatus.DELETED


def test_only_an_active_document_can_be_archived():
    document = a_document()
    document.archive()
    with refused(document, CustomerError, "document passport.pdf is archived, not active"):
        document.archive()
    document.delete()
    with refused(document, CustomerError, "document passport.pdf is deleted, not active"):
        document.archive()


def test_a_deleted_document_cannot_be_deleted_again():
    document = a_document()
    document.delete()
    with refused(document, CustomerError, "document passport.pdf is already deleted"):
        document.delete()


def test_a_document_rehydrates_from_its_events():
    document = a_document()
    document.archive()
    document.delete()
    assert_rehydrates(document)


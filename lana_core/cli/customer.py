"""``lana customer``: customers, their personal information, status and documents."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from lana_core.cli.common import Column, parse_id, say, show_list, show_one, when
from lana_core.cli.context import AppContext
from lana_core.cli.options import DATE, format_option
from lana_core.customer.domain import CustomerStatus, CustomerType, KycStatus, PersonalInfo
from lana_core.errors import InvalidInput


@click.group()
def customer() -> None:
    """Customers: onboarding, personal information, status and documents."""


def _enum(enum_type):  # type: ignore[no-untyped-def]
    return click.Choice([e.value for e in enum_type])


def personal_info_options(command):  # type: ignore[no-untyped-def]
    for option in reversed([
        click.option("--first-name", help="An individual's first name."),
        click.option("--last-name", help="An individual's last name."),
        click.option("--company-name", help="An organisation's name."),
        click.option("--date-of-birth", type=DATE, help="An individual's date of birth."),
        click.option("--nationality", help="ISO 3166 two-letter country code, e.g. SV."),
        click.option("--address", help="Postal address, one line."),
        click.option("--phone", help="Phone number."),
    ]):
        command = option(command)
    return command


INFO_FIELDS = [f.name for f in dataclasses.fields(PersonalInfo)]

CUSTOMER_COLUMNS = [
    Column("Email", lambda c: c.email),
    Column("Name", lambda c: c.name),
    Column("Type", lambda c: c.customer_type),
    Column("Status", lambda c: c.status),
    Column("KYC", lambda c: c.kyc_status),
    Column("Id", lambda c: c.id),
]


def _customer_fields(c):  # type: ignore[no-untyped-def]
    info = c.personal_info
    return [
        ("id", c.id), ("email", c.email), ("name", c.name), ("type", c.customer_type), ("status", c.status),
        ("kyc status", c.kyc_status), ("kyc level", c.kyc_level), ("kyc applicant", c.applicant_id),
        ("telegram", c.telegram),
        *((name.replace("_", " "), getattr(info, name)) for name in INFO_FIELDS if getattr(info, name) is not None),
    ]


def _show_customer(fmt: str, c) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, c, f"Customer {c.email}", _customer_fields)


@customer.command("create")
@click.option("--email", required=True, help="The customer's email (unique).")
@click.option("--type", "customer_type", type=_enum(CustomerType), required=True,
              help="Decides the accounting and regulatory treatment.")
@personal_info_options
@click.option("--telegram", help="Telegram handle.")
@format_option
@click.pass_obj
def create(app: AppContext, email: str, customer_type: str, telegram: str | None, fmt: str,
           **info) -> None:  # type: ignore[no-untyped-def]
    """Onboard a customer (KYC starts pending)."""
    created = app.lana().customers.create(app.actor(), email, CustomerType(customer_type), PersonalInfo(**info),
                                          telegram=telegram)
    _show_customer(fmt, created)


@customer.command("list")
@click.option("--status", type=_enum(CustomerStatus))
@click.option("--kyc-status", type=_enum(KycStatus))
@click.option("--type", "customer_type", type=_enum(CustomerType))
@format_option
@click.pass_obj
def list_customers(app: AppContext, status: str | None, kyc_status: str | None, customer_type: str | None,
                   fmt: str) -> None:
    """Customers, oldest first, optionally only some."""
    found = app.lana().customers.list(
        app.actor(), status=status and CustomerStatus(status), kyc_status=kyc_status and KycStatus(kyc_status),
        customer_type=customer_type and CustomerType(customer_type),
    )
    show_list(fmt, found, "Customers", CUSTOMER_COLUMNS)


def _customer_by_ref(app: AppContext, ref: str):  # type: ignore[no-untyped-def]
    if "@" in ref:
        return app.lana().customers.find_by_email(app.actor(), ref)
    return app.lana().customers.get(app.actor(), parse_id(ref, "customer id"))


@customer.command("show")
@click.argument("ref", metavar="ID")
@format_option
@click.pass_obj
def show(app: AppContext, ref: str, fmt: str) -> None:
    """One customer, by id or email."""
    _show_customer(fmt, _customer_by_ref(app, ref))


@customer.command("update")
@click.argument("customer_id", metavar="ID")
@personal_info_options
@format_option
@click.pass_obj
def update(app: AppContext, customer_id: str, fmt: str, **info) -> None:  # type: ignore[no-untyped-def]
    """Change personal information; fields not given keep their value."""
    changes = {k: v for k, v in info.items() if v is not None}
    if not changes:
        raise InvalidInput("nothing to update: give at least one personal-information option")
    lana, actor, cid = app.lana(), app.actor(), parse_id(customer_id, "customer id")
    current = lana.customers.get(actor, cid)
    updated = lana.customers.update_personal_info(actor, cid, dataclasses.replace(current.personal_info, **changes))
    _show_customer(fmt, updated)


@customer.command("freeze")
@click.argument("customer_id", metavar="ID")
@click.option("--reason", required=True, help="Why (kept with the change).")
@format_option
@click.pass_obj
def freeze(app: AppContext, customer_id: str, reason: str, fmt: str) -> None:
    """Freeze a customer: no new products; their deposit accounts are frozen with them."""
    _show_customer(fmt, app.lana().customers.freeze(app.actor(), parse_id(customer_id, "customer id"), reason))


@customer.command("unfreeze")
@click.argument("customer_id", metavar="ID")
@format_option
@click.pass_obj
def unfreeze(app: AppContext, customer_id: str, fmt: str) -> None:
    """Unfreeze a customer (and their frozen deposit accounts)."""
    _show_customer(fmt, app.lana().customers.unfreeze(app.actor(), parse_id(customer_id, "customer id")))


@customer.command("close")
@click.argument("customer_id", metavar="ID")
@format_option
@click.pass_obj
def close(app: AppContext, customer_id: str, fmt: str) -> None:
    """Close a customer for good (every deposit account must be closed first)."""
    _show_customer(fmt, app.lana().customers.close(app.actor(), parse_id(customer_id, "customer id")))


@customer.command("kyc-webhooks")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@format_option
@click.pass_obj
def kyc_webhooks(app: AppContext, limit: int, fmt: str) -> None:
    """The KYC provider's webhook calls, newest first, and what Lana did with each."""
    rows = app.lana().customers.kyc_webhooks(app.actor(), limit)
    keys = ("id", "received_at", "outcome", "reason", "customer_id")
    show_list(fmt, rows, "KYC webhooks", [
        Column("#", lambda r: r[0], numeric=True),
        Column("Received", lambda r: when(r[1])),
        Column("Outcome", lambda r: r[2]),
        Column("Reason", lambda r: r[3]),
        Column("Customer", lambda r: r[4]),
    ], as_json=lambda r: dict(zip(keys, r)))


# --- documents ----------------------------------------------------------------------------

DOCUMENT_COLUMNS = [
    Column("File", lambda d: d.filename),
    Column("Content type", lambda d: d.content_type),
    Column("Bytes", lambda d: f"{d.size:,}", numeric=True),
    Column("Status", lambda d: d.status),
    Column("Id", lambda d: d.id),
]


def _show_document(fmt: str, d) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, d, f"Document {d.filename}", lambda d: [
        ("id", d.id), ("customer", d.customer_id), ("file", d.filename), ("content type", d.content_type),
        ("bytes", f"{d.size:,}"), ("sha256", d.sha256), ("status", d.status),
    ])


@customer.group()
def document() -> None:
    """Files about a customer (ID scans, proofs of address, ...)."""


@document.command("add")
@click.argument("customer_id", metavar="ID")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--content-type", help="MIME type (default: guessed from the file name).")
@format_option
@click.pass_obj
def document_add(app: AppContext, customer_id: str, file: Path, content_type: str | None, fmt: str) -> None:
    """Store a file for a customer."""
    cid = parse_id(customer_id, "customer id")
    stored = app.lana().customers.upload_document(app.actor(), cid, file.name, file.read_bytes(), content_type)
    _show_document(fmt, stored)


@document.command("list")
@click.argument("customer_id", metavar="ID")
@format_option
@click.pass_obj
def document_list(app: AppContext, customer_id: str, fmt: str) -> None:
    """A customer's documents (deleted ones too: their record stays)."""
    found = app.lana().customers.documents(app.actor(), parse_id(customer_id, "customer id"))
    show_list(fmt, found, "Documents", DOCUMENT_COLUMNS)


@document.command("get")
@click.argument("document_id")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the file.")
@click.pass_obj
def document_get(app: AppContext, document_id: str, output: Path) -> None:
    """Write a document's file (checked against its recorded checksum)."""
    doc, content = app.lana().customers.download_document(app.actor(), parse_id(document_id, "document id"))
    output.write_bytes(content)
    say(f"{doc.filename}: {len(content):,} bytes written to {output}")


@document.command("archive")
@click.argument("document_id")
@format_option
@click.pass_obj
def document_archive(app: AppContext, document_id: str, fmt: str) -> None:
    """Mark a document as no longer current (it is kept)."""
    _show_document(fmt, app.lana().customers.archive_document(app.actor(), parse_id(document_id, "document id")))


@document.command("delete")
@click.argument("document_id")
@format_option
@click.pass_obj
def document_delete(app: AppContext, document_id: str, fmt: str) -> None:
    """Delete a document's file (its record stays, marked deleted)."""
    _show_document(fmt, app.lana().customers.delete_document(app.actor(), parse_id(document_id, "document id")))

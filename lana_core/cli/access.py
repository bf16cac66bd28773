"""``lana access``: operators, roles, permission sets and the audit log."""

from __future__ import annotations

from dataclasses import asdict

import click

from lana_core.cli.common import Column, id_or_name, print_json, print_table, show_list, show_one, when
from lana_core.cli.context import AppContext
from lana_core.cli.options import format_option

OUTCOMES = ["allowed", "denied", "refused", "failed"]


@click.group()
def access() -> None:
    """Operators, roles, permission sets and the audit log."""


# --- users --------------------------------------------------------------------------------

USER_COLUMNS = [
    Column("Email", lambda u: u.email),
    Column("Name", lambda u: u.name),
    Column("Roles", lambda u: ", ".join(sorted(u.roles))),
    Column("Id", lambda u: u.id),
]


def _user_fields(u):  # type: ignore[no-untyped-def]
    return [("id", u.id), ("email", u.email), ("name", u.name), ("roles", ", ".join(sorted(u.roles)))]


def _show_user(fmt: str, user) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, user, f"User {user.email}", _user_fields)


@access.group()
def user() -> None:
    """Operators of the bank: who may act, through the roles they hold."""


@user.command("create")
@click.argument("email")
@click.option("--name", help="The operator's full name.")
@click.option("--role", "roles", multiple=True, help="A role to hold (repeat for several).")
@format_option
@click.pass_obj
def user_create(app: AppContext, email: str, name: str | None, roles: tuple[str, ...], fmt: str) -> None:
    """Create an operator, optionally with roles."""
    created = app.lana().access.create_user(app.actor(), email, name=name, roles=list(roles))
    _show_user(fmt, created)


@user.command("list")
@format_option
@click.pass_obj
def user_list(app: AppContext, fmt: str) -> None:
    """Every operator, by email."""
    users = app.lana().access.users(app.actor())
    show_list(fmt, users, "Users", USER_COLUMNS)


@user.command("show")
@click.argument("user_ref", metavar="EMAIL")
@format_option
@click.pass_obj
def user_show(app: AppContext, user_ref: str, fmt: str) -> None:
    """One operator (by email or id) and their roles."""
    _show_user(fmt, app.lana().access.user(app.actor(), id_or_name(user_ref)))


@user.command("assign-role")
@click.argument("user_ref", metavar="EMAIL")
@click.argument("role")
@format_option
@click.pass_obj
def user_assign_role(app: AppContext, user_ref: str, role: str, fmt: str) -> None:
    """Give an operator a role (effective at once)."""
    _show_user(fmt, app.lana().access.assign_role(app.actor(), id_or_name(user_ref), role))


@user.command("revoke-role")
@click.argument("user_ref", metavar="EMAIL")
@click.argument("role")
@format_option
@click.pass_obj
def user_revoke_role(app: AppContext, user_ref: str, role: str, fmt: str) -> None:
    """Take a role away from an operator (effective at once)."""
    _show_user(fmt, app.lana().access.revoke_role(app.actor(), id_or_name(user_ref), role))


# --- roles --------------------------------------------------------------------------------

ROLE_COLUMNS = [
    Column("Role", lambda r: r.name),
    Column("Predefined", lambda r: "yes" if r.predefined else ""),
    Column("Permission sets", lambda r: ", ".join(sorted(r.permission_sets))),
]


def _show_role(fmt: str, role) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, role, f"Role {role.name}", lambda r: [
        ("id", r.id), ("name", r.name), ("predefined", "yes" if r.predefined else "no"),
        ("permission sets", ", ".join(sorted(r.permission_sets))),
    ])


@access.group()
def role() -> None:
    """Roles: named groups of permission sets."""


@role.command("create")
@click.argument("name")
@click.option("--permission-set", "permission_sets", multiple=True, required=True,
              help="A permission set the role grants (repeat for several).")
@format_option
@click.pass_obj
def role_create(app: AppContext, name: str, permission_sets: tuple[str, ...], fmt: str) -> None:
    """Create a role from permission sets (see `lana access permission-sets`)."""
    _show_role(fmt, app.lana().access.create_role(app.actor(), name, list(permission_sets)))


@role.command("list")
@format_option
@click.pass_obj
def role_list(app: AppContext, fmt: str) -> None:
    """Every role and its permission sets."""
    show_list(fmt, app.lana().access.roles(app.actor()), "Roles", ROLE_COLUMNS)


@role.command("add-permission-set")
@click.argument("role_name", metavar="ROLE")
@click.argument("permission_set", metavar="SET")
@format_option
@click.pass_obj
def role_add_permission_set(app: AppContext, role_name: str, permission_set: str, fmt: str) -> None:
    """Grant a role one more permission set (not for predefined roles)."""
    _show_role(fmt, app.lana().access.add_permission_set(app.actor(), role_name, permission_set))


@role.command("remove-permission-set")
@click.argument("role_name", metavar="ROLE")
@click.argument("permission_set", metavar="SET")
@format_option
@click.pass_obj
def role_remove_permission_set(app: AppContext, role_name: str, permission_set: str, fmt: str) -> None:
    """Take a permission set away from a role (not for predefined roles)."""
    _show_role(fmt, app.lana().access.remove_permission_set(app.actor(), role_name, permission_set))


# --- permission sets and audit ------------------------------------------------------------


@access.command("permission-sets")
@format_option
@click.pass_obj
def permission_sets(app: AppContext, fmt: str) -> None:
    """What each permission set allows: (object, action) pairs."""
    sets = app.lana().access.permission_sets(app.actor())
    data = [{"name": name, "permissions": [{"object": o, "action": a} for o, a in grants]}
            for name, grants in sets.items()]
    if fmt == "json":
        print_json(data)
        return
    print_table("Permission sets", [
        Column("Permission set", lambda s: s["name"]),
        Column("Actions", lambda s: "\n".join(p["action"] for p in s["permissions"]) or "(none yet)"),
    ], data)


@access.command("audit")
@click.option("--subject", help="Only this actor: an operator's email, user:<id> or system:<name>.")
@click.option("--outcome", type=click.Choice(OUTCOMES), help="Only operations that ended so.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@format_option
@click.pass_obj
def audit(app: AppContext, subject: str | None, outcome: str | None, limit: int, fmt: str) -> None:
    """The audit log, newest first: who did (or tried) what, and how it ended."""
    lana, actor = app.lana(), app.actor()
    if subject and "@" in subject and ":" not in subject:
        subject = f"user:{lana.access.user(actor, subject).id}"
    entries = lana.access.audit_log(actor, subject=subject, outcome=outcome, limit=limit)
    show_list(fmt, entries, "Audit log", [
        Column("#", lambda e: e.id, numeric=True),
        Column("Recorded", lambda e: when(e.recorded_at)),
        Column("Subject", lambda e: e.subject),
        Column("Action", lambda e: e.action),
        Column("Object", lambda e: e.object),
        Column("Outcome", lambda e: e.outcome),
        Column("Reason", lambda e: e.reason),
    ], as_json=asdict)

"""``lana governance``: committees, approval policies and approval processes."""

from __future__ import annotations

import click

from lana_core.cli.common import Column, id_or_name, parse_id, show_list, show_one
from lana_core.cli.context import AppContext
from lana_core.cli.options import format_option
from lana_core.errors import InvalidInput
from lana_core.governance.domain import ProcessStatus, ProcessType


@click.group()
def governance() -> None:
    """Who approves what: committees, policies, and the approval processes they decide."""


def _enum(enum_type):  # type: ignore[no-untyped-def]
    return click.Choice([e.value for e in enum_type])


# --- committees ---------------------------------------------------------------------------

COMMITTEE_COLUMNS = [
    Column("Committee", lambda c: c.name),
    Column("Members", lambda c: len(c.members), numeric=True),
    Column("Id", lambda c: c.id),
]


def _show_committee(fmt: str, c) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, c, f"Committee {c.name}", lambda c: [
        ("id", c.id), ("name", c.name), ("members", "\n".join(sorted(map(str, c.members)))),
    ])


@governance.group()
def committee() -> None:
    """Groups of operators who vote on approval processes."""


@committee.command("create")
@click.argument("name")
@click.option("--member", "members", multiple=True, required=True, metavar="EMAIL",
              help="An operator on the committee (repeat for each).")
@format_option
@click.pass_obj
def committee_create(app: AppContext, name: str, members: tuple[str, ...], fmt: str) -> None:
    """Create a committee of operators."""
    created = app.lana().governance.create_committee(app.actor(), name, [id_or_name(m) for m in members])
    _show_committee(fmt, created)


@committee.command("list")
@format_option
@click.pass_obj
def committee_list(app: AppContext, fmt: str) -> None:
    """Every committee."""
    show_list(fmt, app.lana().governance.committees(app.actor()), "Committees", COMMITTEE_COLUMNS)


@committee.command("show")
@click.argument("name")
@format_option
@click.pass_obj
def committee_show(app: AppContext, name: str, fmt: str) -> None:
    """One committee (by name or id) and its members' user ids."""
    _show_committee(fmt, app.lana().governance.committee(app.actor(), id_or_name(name)))


@committee.command("add-member")
@click.argument("name")
@click.argument("member", metavar="EMAIL")
@format_option
@click.pass_obj
def committee_add_member(app: AppContext, name: str, member: str, fmt: str) -> None:
    """Add an operator to a committee."""
    _show_committee(fmt, app.lana().governance.add_member(app.actor(), id_or_name(name), id_or_name(member)))


@committee.command("remove-member")
@click.argument("name")
@click.argument("member", metavar="EMAIL")
@format_option
@click.pass_obj
def committee_remove_member(app: AppContext, name: str, member: str, fmt: str) -> None:
    """Remove an operator from a committee (their votes on open processes stop counting)."""
    _show_committee(fmt, app.lana().governance.remove_member(app.actor(), id_or_name(name), id_or_name(member)))


# --- policies -----------------------------------------------------------------------------

POLICY_COLUMNS = [
    Column("Process type", lambda p: p.process_type),
    Column("Approval", lambda p: "automatic" if p.auto_approve else f"{p.threshold} vote(s) of the committee"),
    Column("Committee", lambda p: p.committee_id),
]


@governance.group()
def policy() -> None:
    """How each process type is approved: automatically, or by a committee."""


@policy.command("list")
@format_option
@click.pass_obj
def policy_list(app: AppContext, fmt: str) -> None:
    """The policy of every process type."""
    show_list(fmt, app.lana().governance.policies(app.actor()), "Approval policies", POLICY_COLUMNS)


@policy.command("set")
@click.argument("process_type", type=_enum(ProcessType))
@click.option("--committee", "committee_ref", metavar="NAME", help="The committee that decides.")
@click.option("--threshold", type=int, help="How many of its members must approve.")
@click.option("--auto", is_flag=True, help="Approve automatically (no committee).")
@format_option
@click.pass_obj
def policy_set(app: AppContext, process_type: str, committee_ref: str | None, threshold: int | None, auto: bool,
               fmt: str) -> None:
    """Set who approves a process type: --committee NAME --threshold N, or --auto."""
    if auto == bool(committee_ref or threshold is not None):
        raise InvalidInput("give either --committee NAME --threshold N, or --auto")
    governance_service, actor = app.lana().governance, app.actor()
    if auto:
        changed = governance_service.approve_automatically(actor, ProcessType(process_type))
    else:
        if committee_ref is None or threshold is None:
            raise InvalidInput("a committee policy needs both --committee and --threshold")
        changed = governance_service.require_committee(actor, ProcessType(process_type), id_or_name(committee_ref),
                                                       threshold)
    show_one(fmt, changed, f"Policy for {changed.process_type}", lambda p: [
        (column.header.lower(), column.get(p)) for column in POLICY_COLUMNS
    ])


# --- approval processes -------------------------------------------------------------------

PROCESS_COLUMNS = [
    Column("Type", lambda p: p.process_type),
    Column("Status", lambda p: p.status),
    Column("Approvals", lambda p: f"{len(p.approvals)}/{p.threshold}" if p.threshold else "auto"),
    Column("Target", lambda p: p.target_id),
    Column("Id", lambda p: p.id),
]


def _show_process(fmt: str, p) -> None:  # type: ignore[no-untyped-def]
    show_one(fmt, p, f"Approval process {p.id}", lambda p: [
        ("id", p.id), ("type", p.process_type), ("target", p.target_id), ("status", p.status),
        ("committee", p.committee_id or "(automatic approval)"), ("threshold", p.threshold),
        ("approved by", "\n".join(map(str, p.approvals))), ("denied by", p.denied_by),
        ("denial reason", p.denial_reason),
    ])


@governance.group()
def process() -> None:
    """Approval processes: one per operation waiting for a decision."""


@process.command("list")
@click.option("--status", type=_enum(ProcessStatus))
@click.option("--type", "process_type", type=_enum(ProcessType))
@format_option
@click.pass_obj
def process_list(app: AppContext, status: str | None, process_type: str | None, fmt: str) -> None:
    """Approval processes, oldest first."""
    found = app.lana().governance.processes(app.actor(), status=status and ProcessStatus(status),
                                            process_type=process_type and ProcessType(process_type))
    show_list(fmt, found, "Approval processes", PROCESS_COLUMNS)


@process.command("show")
@click.argument("process_id", metavar="ID")
@format_option
@click.pass_obj
def process_show(app: AppContext, process_id: str, fmt: str) -> None:
    """One approval process: its votes and outcome."""
    _show_process(fmt, app.lana().governance.process(app.actor(), parse_id(process_id, "process id")))


@governance.command("approve")
@click.argument("process_id")
@format_option
@click.pass_obj
def approve(app: AppContext, process_id: str, fmt: str) -> None:
    """Vote to approve (as a member of the deciding committee)."""
    _show_process(fmt, app.lana().governance.approve(app.actor(), parse_id(process_id, "process id")))


@governance.command("deny")
@click.argument("process_id")
@click.option("--reason", required=True, help="Why (one denial ends the process).")
@format_option
@click.pass_obj
def deny(app: AppContext, process_id: str, reason: str, fmt: str) -> None:
    """Vote to deny (as a member of the deciding committee): the process ends denied."""
    _show_process(fmt, app.lana().governance.deny(app.actor(), parse_id(process_id, "process id"), reason))

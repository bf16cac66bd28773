"""Operations on committees, policies and approval processes."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from lana_core.access.domain import Actor, User
from lana_core.db import UnitOfWork
from lana_core.errors import InvalidInput, NotFound, parse_enum
from lana_core.governance.domain import (
    ApprovalPolicy,
    ApprovalProcess,
    Committee,
    GovernanceError,
    ProcessStatus,
    ProcessType,
)

if TYPE_CHECKING:
    from lana_core.app import Lana


class GovernanceService:
    def __init__(self, app: Lana) -> None:
        self.app = app

    # --- committees ---------------------------------------------------------------------

    def create_committee(self, actor: Actor, name: str, members: list[str | UUID]) -> Committee:
        with self.app.operation(actor, "governance/committee/*", "governance:committee:create") as uow:
            committee = Committee.create(self.app.db.ids(), name, [self._user_id(uow, m) for m in members])
            uow.events.save(committee)
            return committee

    def add_member(self, actor: Actor, committee_ref: str | UUID, member: str | UUID) -> Committee:
        with self.app.operation(actor, f"governance/committee/{committee_ref}", "governance:committee:add-member") as uow:
            committee = self._committee(uow, committee_ref)
            committee.add_member(self._user_id(uow, member))
            uow.events.save(committee)
            return committee

    def remove_member(self, actor: Actor, committee_ref: str | UUID, member: str | UUID) -> Committee:
        with self.app.operation(actor, f"governance/committee/{committee_ref}",
                                "governance:committee:remove-member") as uow:
            committee = self._committee(uow, committee_ref)
            committee.remove_member(self._user_id(uow, member))
            self._check_thresholds_reachable(uow, committee)
            uow.events.save(committee)
            return committee

    def _check_thresholds_reachable(self, uow: UnitOfWork, committee: Committee) -> None:
        """A policy, or a process still deciding, must not need more approvals than members."""
        size = len(committee.members)
        where = "state->>'committee_id' = %s AND (state->>'threshold')::int > %s"
        for policy in uow.events.find_all(ApprovalPolicy, where, (str(committee.id), size)):
            raise GovernanceError(
                f"the {policy.process_type} policy needs {policy.threshold} approvals from {committee.name}, "
                f"which would have {size} member(s): lower the threshold first"
            )
        busy = uow.events.find_all(ApprovalProcess, where + " AND state->>'status' = 'in_progress'",
                                   (str(committee.id), size))
        if busy:
            raise GovernanceError(
                f"{len(busy)} approval process(es) still need more approvals than {committee.name} would have "
                f"members ({size}); conclude them first"
            )

    def committees(self, actor: Actor) -> list[Committee]:
        with self.app.operation(actor, "governance/committee/*", "governance:committee:list") as uow:
            return uow.events.find_all(Committee, order="state->>'name'")

    def committee(self, actor: Actor, ref: str | UUID) -> Committee:
        with self.app.operation(actor, f"governance/committee/{ref}", "governance:committee:read") as uow:
            return self._committee(uow, ref)

    # --- policies -----------------------------------------------------------------------

    def policies(self, actor: Actor) -> list[ApprovalPolicy]:
        with self.app.operation(actor, "governance/policy/*", "governance:policy:list") as uow:
            return [self.policy_for(uow, t) for t in ProcessType]

    def require_committee(self, actor: Actor, process_type: ProcessType, committee_ref: str | UUID,
                          threshold: int) -> ApprovalPolicy:
        with self.app.operation(actor, f"governance/policy/{process_type}", "governance:policy:update-rules") as uow:
            policy = self.policy_for(uow, parse_enum(ProcessType, process_type, "process type"))
            policy.require_committee(self._committee(uow, committee_ref), threshold)
            uow.events.save(policy)
            return policy

    def approve_automatically(self, actor: Actor, process_type: ProcessType) -> ApprovalPolicy:
        with self.app.operation(actor, f"governance/policy/{process_type}", "governance:policy:update-rules") as uow:
            policy = self.policy_for(uow, parse_enum(ProcessType, process_type, "process type"))
            policy.approve_automatically()
            uow.events.save(policy)
            return policy

    def policy_for(self, uow: UnitOfWork, process_type: ProcessType) -> ApprovalPolicy:
        """The policy of a process type, created (auto-approval) the first time it is needed."""
        process_type = parse_enum(ProcessType, process_type, "process type")
        policy = uow.events.find_one(ApprovalPolicy, "state->>'process_type' = %s", (process_type.value,))
        if policy is None:
            policy = ApprovalPolicy.create(self.app.db.ids(), process_type)
            uow.events.save(policy)
        return policy

    # --- approval processes -------------------------------------------------------------

    def start_process(self, uow: UnitOfWork, process_type: ProcessType, target_id: UUID) -> ApprovalProcess:
        """Start deciding on ``target_id`` (inside the operation that needs the decision). With
        auto-approval the process concludes at once; either way the conclusion is published."""
        process = ApprovalProcess.start(self.app.db.ids(), self.policy_for(uow, process_type), target_id)
        self._save(uow, process)
        return process

    def approve(self, actor: Actor, process_id: UUID) -> ApprovalProcess:
        return self._vote(actor, process_id, None)

    def deny(self, actor: Actor, process_id: UUID, reason: str) -> ApprovalProcess:
        if not reason or not reason.strip():
            raise InvalidInput("a denial needs a reason")
        return self._vote(actor, process_id, reason)

    def _vote(self, actor: Actor, process_id: UUID, denial: str | None) -> ApprovalProcess:
        with self.app.operation(actor, f"governance/approval-process/{process_id}",
                                "governance:approval-process:vote") as uow:
            if actor.kind != "user" or actor.id is None:
                raise GovernanceError("only users vote")
            process = uow.events.load(ApprovalProcess, process_id)
            if process.committee_id is None:
                raise GovernanceError("this process was approved automatically; there is nothing to vote on")
            committee = uow.events.load(Committee, process.committee_id)
            if denial is None:
                process.approve(actor.id, committee)
            else:
                process.deny(actor.id, committee, denial)
            self._save(uow, process)
            return process

    def _save(self, uow: UnitOfWork, process: ApprovalProcess) -> None:
        conclusion = process.conclusion
        uow.events.save(process)
        if conclusion is not None:
            uow.outbox.publish(conclusion)

    def processes(self, actor: Actor, *, status: ProcessStatus | None = None,
                  process_type: ProcessType | None = None) -> list[ApprovalProcess]:
        with self.app.operation(actor, "governance/approval-process/*", "governance:approval-process:list") as uow:
            return uow.events.find_all(
                ApprovalProcess,
                "(%s::text IS NULL OR state->>'status' = %s) AND (%s::text IS NULL OR state->>'process_type' = %s)",
                (status, status, process_type, process_type),
            )

    def process(self, actor: Actor, process_id: UUID) -> ApprovalProcess:
        with self.app.operation(actor, f"governance/approval-process/{process_id}",
                                "governance:approval-process:read") as uow:
            return uow.events.load(ApprovalProcess, process_id)

    def process_for(self, uow: UnitOfWork, target_id: UUID) -> ApprovalProcess | None:
        return uow.events.find_one(ApprovalProcess, "state->>'target_id' = %s", (str(target_id),))

    # --- lookups ------------------------------------------------------------------------

    def _committee(self, uow: UnitOfWork, ref: str | UUID) -> Committee:
        committee = (uow.events.find(Committee, ref) if isinstance(ref, UUID)
                     else uow.events.find_one(Committee, "lower(state->>'name') = lower(%s)", (ref,)))
        if committee is None:
            raise NotFound(f"there is no committee {ref}")
        return committee

    def _user_id(self, uow: UnitOfWork, ref: str | UUID) -> UUID:
        user = (uow.events.find(User, ref) if isinstance(ref, UUID)
                else uow.events.find_one(User, "lower(state->>'email') = lower(%s)", (ref,)))
        if user is None:
            raise NotFound(f"there is no user {ref}")
        return user.id

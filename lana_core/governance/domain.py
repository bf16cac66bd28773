"""Committees, policies and approval processes. Plain Python: no database here.

A policy per process type says who approves: nobody (auto-approval) or a committee, with a
threshold of approvals (e.g. 2 of 3). An approval process collects the votes of the committee's
current members: one denial (with a reason) ends it at once; reaching the threshold approves it.
Its conclusion is published for the context that waits on it (e.g. a withdrawal).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from lana_core.errors import InvalidInput, LanaError
from lana_core.eventsourcing import Aggregate, Event


class ProcessType(StrEnum):
    WITHDRAW = "withdraw"
    CREDIT_FACILITY_PROPOSAL = "credit_facility_proposal"
    DISBURSAL = "disbursal"


class ProcessStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    APPROVED = "approved"
    DENIED = "denied"


class GovernanceError(LanaError):
    pass


# --- committees ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitteeCreated(Event):
    name: str
    members: tuple[UUID, ...]


@dataclass(frozen=True)
class CommitteeMemberAdded(Event):
    user_id: UUID


@dataclass(frozen=True)
class CommitteeMemberRemoved(Event):
    user_id: UUID


class Committee(Aggregate):
    """A group of users who decide on some kinds of operation. members: their user ids."""

    stream_type = "committee"
    event_types = (CommitteeCreated, CommitteeMemberAdded, CommitteeMemberRemoved)

    name: str
    members: frozenset[UUID]

    @classmethod
    def create(cls, id: UUID, name: str, members: list[UUID]) -> Committee:
        if not name.strip():
            raise InvalidInput("a committee needs a name")
        if not members:
            raise InvalidInput("a committee needs at least one member")
        committee = cls(id)
        committee._record(CommitteeCreated(name.strip(), tuple(dict.fromkeys(members))))
        return committee

    def add_member(self, user_id: UUID) -> None:
        if user_id in self.members:
            raise GovernanceError(f"that user is already a member of {self.name}")
        self._record(CommitteeMemberAdded(user_id))

    def remove_member(self, user_id: UUID) -> None:
        if user_id not in self.members:
            raise GovernanceError(f"that user is not a member of {self.name}")
        if len(self.members) == 1:
            raise GovernanceError(f"cannot remove the last member of {self.name}")
        self._record(CommitteeMemberRemoved(user_id))

    def _apply(self, event: Event) -> None:
        match event:
            case CommitteeCreated(name, members):
                self.name, self.members = name, frozenset(members)
            case CommitteeMemberAdded(user_id):
                self.members = self.members | {user_id}
            case CommitteeMemberRemoved(user_id):
                self.members = self.members - {user_id}


# --- policies -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyCreated(Event):
    process_type: ProcessType


@dataclass(frozen=True)
class PolicyRulesChanged(Event):
    committee_id: UUID | None  # None: auto-approval
    threshold: int | None


class ApprovalPolicy(Aggregate):
    """How one process type is approved: committee_id None means automatically; otherwise
    ``threshold`` approvals from that committee's members."""

    stream_type = "approval_policy"
    event_types = (PolicyCreated, PolicyRulesChanged)

    process_type: ProcessType
    committee_id: UUID | None
    threshold: int | None

    @classmethod
    def create(cls, id: UUID, process_type: ProcessType) -> ApprovalPolicy:
        policy = cls(id)
        policy._record(PolicyCreated(ProcessType(process_type)))
        return policy

    @property
    def auto_approve(self) -> bool:
        return self.committee_id is None

    def require_committee(self, committee: Committee, threshold: int) -> None:
        if not 1 <= threshold <= len(committee.members):
            raise InvalidInput(
                f"the threshold must be between 1 and the committee's {len(committee.members)} member(s), "
                f"got {threshold}"
            )
        self._record(PolicyRulesChanged(committee.id, threshold))

    def approve_automatically(self) -> None:
        if not self.auto_approve:
            self._record(PolicyRulesChanged(None, None))

    def _apply(self, event: Event) -> None:
        match event:
            case PolicyCreated(process_type):
                self.process_type, self.committee_id, self.threshold = process_type, None, None
            case PolicyRulesChanged(committee_id, threshold):
                self.committee_id, self.threshold = committee_id, threshold


# --- approval processes -------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalProcessStarted(Event):
    process_type: ProcessType
    target_id: UUID
    policy_id: UUID
    committee_id: UUID | None
    threshold: int | None


@dataclass(frozen=True)
class ApprovalVoteCast(Event):
    voter_id: UUID


@dataclass(frozen=True)
class DenialVoteCast(Event):
    voter_id: UUID
    reason: str


@dataclass(frozen=True)
class ApprovalProcessConcluded(Event):
    """Published on the outbox: the waiting context acts on ``approved``."""

    process_id: UUID
    process_type: ProcessType
    target_id: UUID
    approved: bool
    reason: str | None


class ApprovalProcess(Aggregate):
    """The decision on one operation (target_id: e.g. the withdrawal's id).

    approvals: who approved so far; status: in progress, approved or denied; denial_reason:
    why it was denied. The rules (committee, threshold) are those of the policy at the start.
    """

    stream_type = "approval_process"
    event_types = (ApprovalProcessStarted, ApprovalVoteCast, DenialVoteCast, ApprovalProcessConcluded)

    process_type: ProcessType
    target_id: UUID
    policy_id: UUID
    committee_id: UUID | None
    threshold: int | None
    approvals: tuple[UUID, ...]
    status: ProcessStatus
    denial_reason: str | None
    denied_by: UUID | None

    @classmethod
    def start(cls, id: UUID, policy: ApprovalPolicy, target_id: UUID) -> ApprovalProcess:
        process = cls(id)
        process._record(ApprovalProcessStarted(
            policy.process_type, target_id, policy.id, policy.committee_id, policy.threshold
        ))
        if policy.auto_approve:
            process._conclude(True, None)
        return process

    def approve(self, voter_id: UUID, committee: Committee) -> None:
        self._check_vote(voter_id, committee)
        self._record(ApprovalVoteCast(voter_id))
        counted = [v for v in self.approvals if v in committee.members]
        if self.threshold is not None and len(counted) >= self.threshold:
            self._conclude(True, None)

    def deny(self, voter_id: UUID, committee: Committee, reason: str) -> None:
        if not reason or not reason.strip():
            raise InvalidInput("a denial needs a reason")
        self._check_vote(voter_id, committee)
        self._record(DenialVoteCast(voter_id, reason.strip()))
        self._conclude(False, reason.strip())

    def _check_vote(self, voter_id: UUID, committee: Committee) -> None:
        if self.status is not ProcessStatus.IN_PROGRESS:
            raise GovernanceError(f"the approval process is already {self.status}")
        if committee.id != self.committee_id:
            raise GovernanceError("this process is decided by another committee")
        if voter_id not in committee.members:
            raise GovernanceError(f"only members of {committee.name} may vote on this process")
        if voter_id in self.approvals:
            raise GovernanceError("each member votes once; you already approved")

    def _conclude(self, approved: bool, reason: str | None) -> None:
        self._record(ApprovalProcessConcluded(self.id, self.process_type, self.target_id, approved, reason))

    @property
    def conclusion(self) -> ApprovalProcessConcluded | None:
        """The conclusion just recorded (to publish), if any."""
        return next((e for e in self.pending_events if isinstance(e, ApprovalProcessConcluded)), None)

    def _apply(self, event: Event) -> None:
        match event:
            case ApprovalProcessStarted(process_type, target_id, policy_id, committee_id, threshold):
                self.process_type, self.target_id, self.policy_id = process_type, target_id, policy_id
                self.committee_id, self.threshold = committee_id, threshold
                self.approvals, self.status, self.denial_reason, self.denied_by = (), ProcessStatus.IN_PROGRESS, None, None
            case ApprovalVoteCast(voter_id):
                self.approvals = (*self.approvals, voter_id)
            case DenialVoteCast(voter_id, reason):
                self.denied_by, self.denial_reason = voter_id, reason
            case ApprovalProcessConcluded(_, _, _, approved, _):
                self.status = ProcessStatus.APPROVED if approved else ProcessStatus.DENIED

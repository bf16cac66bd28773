from uuid import uuid4

import pytest

from lana_core.errors import InvalidInput
from lana_core.governance.domain import (
    ApprovalPolicy,
    ApprovalProcess,
    ApprovalProcessConcluded,
    ApprovalProcessStarted,
    ApprovalVoteCast,
    Committee,
    CommitteeCreated,
    CommitteeMemberAdded,
    CommitteeMemberRemoved,
    DenialVoteCast,
    GovernanceError,
    PolicyCreated,
    PolicyRulesChanged,
    ProcessStatus,
    ProcessType,
)
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly, refused

ALICE, BOB, CAROL, DAVE = uuid4(), uuid4(), uuid4(), uuid4()


def a_committee(*members) -> Committee:
    return Committee.create(uuid4(), "Credit committee", list(members or (ALICE, BOB, CAROL)))


def a_policy(committee: Committee | None = None, threshold: int = 2) -> ApprovalPolicy:
    policy = ApprovalPolicy.create(uuid4(), ProcessType.WITHDRAW)
    if committee is not None:
        policy.require_committee(committee, threshold)
    return policy


def a_process(committee: Committee, threshold: int = 2) -> ApprovalProcess:
    return ApprovalProcess.start(uuid4(), a_policy(committee, threshold), uuid4())


# --- committees -----------------------------------------------------------------------------


def test_a_new_committee_has_its_trimmed_name_and_each_member_once():
    committee = Committee.create(uuid4(), "  Credit committee ", [ALICE, BOB, ALICE])
    assert (committee.name, committee.members) == ("Credit committee", {ALICE, BOB})
    assert committee.pending_events == [CommitteeCreated("Credit committee", (ALICE, BOB))]


@pytest.mark.parametrize("name", ["", "   "])
def test_a_committee_needs_a_name(name):
    with raises_exactly(InvalidInput, "a committee needs a name"):
        Committee.create(uuid4(), name, [ALICE])


def test_a_committee_cannot_be_empty():
    with raises_exactly(InvalidInput, "a committee needs at least one member"):
        Committee.create(uuid4(), "Credit committee", [])


def test_adding_a_member():
    committee = a_committee(ALICE)
    committee.add_member(BOB)
    assert committee.members == {ALICE, BOB}
    assert committee.pending_events[-1] == CommitteeMemberAdded(BOB)


def test_a_member_cannot_be_added_twice():
    committee = a_committee(ALICE, BOB)
    with refused(committee, GovernanceError, "that user is already a member of Credit committee"):
        committee.add_member(BOB)


def test_removing_a_member():
    committee = a_committee(ALICE, BOB)
    committee.remove_member(ALICE)
    assert committee.members == {BOB}
    assert committee.pending_events[-1] == CommitteeMemberRemoved(ALICE)


def test_removing_someone_who_is_not_a_member_is_refused():
    committee = a_committee(ALICE, BOB)
    with refused(committee, GovernanceError, "that user is not a member of Credit committee"):
        committee.remove_member(CAROL)


def test_the_last_member_cannot_be_removed():
    committee = a_committee(ALICE, BOB)
    committee.remove_member(BOB)
    with refused(committee, GovernanceError, "cannot remove the last member of Credit committee"):
        committee.remove_member(ALICE)


def test_a_committee_rehydrates_from_its_events():
    committee = a_committee(ALICE, BOB)
    committee.add_member(CAROL)
    committee.remove_member(ALICE)
    assert_rehydrates(committee)


# --- policies -------------------------------------------------------------------------------


def test_a_new_policy_approves_automatically():
    policy = ApprovalPolicy.create(uuid4(), "disbursal")
    assert policy.process_type is ProcessType.DISBURSAL
    assert policy.auto_approve
    assert (policy.committee_id, policy.threshold) == (None, None)
    assert policy.pending_events == [PolicyCreated(ProcessType.DISBURSAL)]


@pytest.mark.parametrize("threshold", [1, 2, 3])
def test_a_policy_may_require_between_one_and_all_of_a_committees_members(threshold):
    committee = a_committee()
    policy = a_policy()
    policy.require_committee(committee, threshold)
    assert not policy.auto_approve
    assert (policy.committee_id, policy.threshold) == (committee.id, threshold)
    assert policy.pending_events[-1] == PolicyRulesChanged(committee.id, threshold)


@pytest.mark.parametrize("threshold", [-1, 0, 4])
def test_a_threshold_outside_the_committees_size_is_refused(threshold):
    policy = a_policy()
    with refused(policy, InvalidInput, f"the threshold must be between 1 and the committee's 3 member(s), "
                                       f"got {threshold}"):
        policy.require_committee(a_committee(), threshold)


def test_a_policy_can_go_back_to_automatic_approval():
    policy = a_policy(a_committee())
    policy.approve_automatically()
    assert policy.auto_approve
    assert (policy.committee_id, policy.threshold) == (None, None)
    assert policy.pending_events[-1] == PolicyRulesChanged(None, None)


def test_making_an_automatic_policy_automatic_records_nothing():
    policy = a_policy()
    policy.approve_automatically()
    assert policy.version == 1


def test_a_policy_rehydrates_from_its_events():
    policy = a_policy(a_committee())
    policy.approve_automatically()
    policy.require_committee(a_committee(ALICE), 1)
    assert_rehydrates(policy)


# --- approval processes ---------------------------------------------------------------------


def test_under_an_automatic_policy_a_process_is_approved_as_it_starts():
    policy = a_policy()
    target = uuid4()
    process = ApprovalProcess.start(uuid4(), policy, target)
    assert process.status is ProcessStatus.APPROVED
    assert process.pending_events == [
        ApprovalProcessStarted(ProcessType.WITHDRAW, target, policy.id, None, None),
        ApprovalProcessConcluded(process.id, ProcessType.WITHDRAW, target, True, None),
    ]
    assert process.conclusion == process.pending_events[-1]
    assert process.approvals == ()


def test_under_a_committee_policy_a_process_starts_in_progress_with_the_policys_rules():
    committee = a_committee()
    policy = a_policy(committee, 2)
    target = uuid4()
    process = ApprovalProcess.start(uuid4(), policy, target)
    assert process.status is ProcessStatus.IN_PROGRESS
    assert (process.process_type, process.target_id, process.policy_id, process.committee_id, process.threshold) == (
        ProcessType.WITHDRAW, target, policy.id, committee.id, 2
    )
    assert (process.approvals, process.denial_reason, process.denied_by) == ((), None, None)
    assert process.conclusion is None


def test_a_process_keeps_the_rules_it_started_with_when_the_policy_changes():
    committee = a_committee()
    policy = a_policy(committee, 2)
    process = ApprovalProcess.start(uuid4(), policy, uuid4())
    policy.require_committee(committee, 1)
    process.approve(ALICE, committee)
    assert process.status is ProcessStatus.IN_PROGRESS


def test_two_of_three_approvals_approve_the_process():
    committee = a_committee()
    process = a_process(committee, 2)
    process.approve(ALICE, committee)
    assert process.status is ProcessStatus.IN_PROGRESS
    assert process.conclusion is None
    process.approve(CAROL, committee)
    assert process.status is ProcessStatus.APPROVED
    assert process.approvals == (ALICE, CAROL)
    assert process.pending_events[1:] == [
        ApprovalVoteCast(ALICE),
        ApprovalVoteCast(CAROL),
        ApprovalProcessConcluded(process.id, ProcessType.WITHDRAW, process.target_id, True, None),
    ]
    assert process.conclusion == process.pending_events[-1]


def test_a_threshold_of_one_approves_at_the_first_vote():
    committee = a_committee()
    process = a_process(committee, 1)
    process.approve(BOB, committee)
    assert process.status is ProcessStatus.APPROVED


def test_one_denial_with_a_reason_ends_the_process_at_once():
    committee = a_committee()
    process = a_process(committee, 2)
    process.approve(ALICE, committee)
    process.deny(BOB, committee, "  amount above the customer's profile ")
    assert process.status is ProcessStatus.DENIED
    assert (process.denied_by, process.denial_reason) == (BOB, "amount above the customer's profile")
    assert process.pending_events[-2:] == [
        DenialVoteCast(BOB, "amount above the customer's profile"),
        ApprovalProcessConcluded(process.id, ProcessType.WITHDRAW, process.target_id, False,
                                 "amount above the customer's profile"),
    ]
    assert process.conclusion == process.pending_events[-1]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_denial_needs_a_reason(reason):
    committee = a_committee()
    process = a_process(committee)
    with refused(process, InvalidInput, "a denial needs a reason"):
        process.deny(ALICE, committee, reason)


def test_someone_outside_the_committee_cannot_approve():
    committee = a_committee()
    process = a_process(committee)
    with refused(process, GovernanceError, "only members of Credit committee may vote on this process"):
        process.approve(DAVE, committee)


def test_someone_outside_the_committee_cannot_deny():
    committee = a_committee()
    process = a_process(committee)
    with refused(process, GovernanceError, "only members of Credit committee may vote on this process"):
        process.deny(DAVE, committee, "no")


def test_votes_are_checked_against_the_processs_own_committee():
    committee = a_committee()
    other = Committee.create(uuid4(), "Risk committee", [ALICE, BOB, CAROL])
    process = a_process(committee)
    with refused(process, GovernanceError, "this process is decided by another committee"):
        process.approve(ALICE, other)
    with refused(process, GovernanceError, "this process is decided by another committee"):
        process.deny(ALICE, other, "no")


def test_a_member_approves_only_once():
    committee = a_committee()
    process = a_process(committee, 3)
    process.approve(ALICE, committee)
    with refused(process, GovernanceError, "each member votes once; you already approved"):
        process.approve(ALICE, committee)


def test_a_member_who_approved_cannot_then_deny():
    committee = a_committee()
    process = a_process(committee, 3)
    process.approve(ALICE, committee)
    with refused(process, GovernanceError, "each member votes once; you already approved"):
        process.deny(ALICE, committee, "changed my mind")


def test_no_vote_is_taken_after_an_approval():
    committee = a_committee()
    process = a_process(committee, 1)
    process.approve(ALICE, committee)
    with refused(process, GovernanceError, "the approval process is already approved"):
        process.approve(BOB, committee)
    with refused(process, GovernanceError, "the approval process is already approved"):
        process.deny(BOB, committee, "too late")


def test_no_vote_is_taken_after_a_denial():
    committee = a_committee()
    process = a_process(committee, 2)
    process.deny(ALICE, committee, "fraud suspicion")
    with refused(process, GovernanceError, "the approval process is already denied"):
        process.approve(BOB, committee)
    with refused(process, GovernanceError, "the approval process is already denied"):
        process.deny(BOB, committee, "me too")


def test_no_vote_is_taken_on_an_automatically_approved_process():
    committee = a_committee()
    process = ApprovalProcess.start(uuid4(), a_policy(), uuid4())
    with refused(process, GovernanceError, "the approval process is already approved"):
        process.approve(ALICE, committee)


def test_only_current_members_approvals_count_towards_the_threshold():
    committee = a_committee()
    process = a_process(committee, 2)
    process.approve(ALICE, committee)
    committee.remove_member(ALICE)
    process.approve(BOB, committee)
    assert process.status is ProcessStatus.IN_PROGRESS
    process.approve(CAROL, committee)
    assert process.status is ProcessStatus.APPROVED
    assert process.approvals == (ALICE, BOB, CAROL)


def test_a_removed_member_can_no_longer_vote():
    committee = a_committee()
    process = a_process(committee, 2)
    committee.remove_member(BOB)
    with refused(process, GovernanceError, "only members of Credit committee may vote"):
        process.approve(BOB, committee)


def test_a_member_added_after_the_start_may_vote_and_counts():
    committee = a_committee()
    process = a_process(committee, 2)
    committee.add_member(DAVE)
    process.approve(DAVE, committee)
    process.approve(ALICE, committee)
    assert process.status is ProcessStatus.APPROVED


def test_an_approved_process_rehydrates_from_its_events():
    committee = a_committee()
    process = a_process(committee, 2)
    process.approve(ALICE, committee)
    process.approve(BOB, committee)
    assert_rehydrates(process)
    assert ApprovalProcess.rehydrate(process.id, process.pending_events).conclusion is None


def test_a_denied_process_rehydrates_from_its_events():
    committee = a_committee()
    process = a_process(committee, 2)
    process.approve(ALICE, committee)
    process.deny(BOB, committee, "fraud suspicion")
    assert_rehydrates(process)


def test_an_automatically_approved_process_rehydrates_from_its_events():
    assert_rehydrates(ApprovalProcess.start(uuid4(), a_policy(), uuid4()))

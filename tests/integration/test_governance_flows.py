"""Governance: committees, policies, votes and the conclusion published for others."""

from __future__ import annotations

import pytest

from lana_core.access.domain import PermissionDenied
from lana_core.errors import InvalidInput, NotFound
from lana_core.deposit.domain import WithdrawalStatus
from lana_core.governance.domain import GovernanceError, ProcessStatus, ProcessType
from tests.integration.conftest import funded_account, snapshot


@pytest.fixture
def officers(bank, root):
    for name in ("ana", "ben", "cho"):
        bank.access.create_user(root, f"{name}@bank.example", roles=["bank-manager"])
    bank.access.create_user(root, "outsider@bank.example", roles=["bank-manager"])
    bank.access.create_user(root, "auditor@bank.example", roles=["accountant"])
    bank.governance.create_committee(root, "Credit Committee", ["ana@bank.example", "ben@bank.example", "cho@bank.example"])
    return {name: bank.actor(f"{name}@bank.example") for name in ("ana", "ben", "cho", "outsider", "auditor")}


def conclusions(bank) -> int:
    with bank.db.unit_of_work() as uow:
        return uow.conn.execute(
            "SELECT count(*) FROM core.outbox WHERE message_type = 'ApprovalProcessConcluded'"
        ).fetchone()[0]


def test_every_process_type_starts_with_auto_approval(bank, root):
    policies = bank.governance.policies(root)
    assert {p.process_type for p in policies} == set(ProcessType)
    assert all(p.auto_approve for p in policies)


def test_two_of_three_members_approve_and_the_conclusion_is_published_once(bank, root, officers):
    bank.governance.require_committee(root, ProcessType.WITHDRAW, "credit committee", 2)
    _, account = funded_account(bank, root)
    withdrawal = bank.deposits.initiate_withdrawal(root, account.id, 10_00)
    process = bank.governance.approve(officers["ana"], withdrawal.approval_process_id)
    assert process.status is ProcessStatus.IN_PROGRESS and conclusions(bank) == 0
    process = bank.governance.approve(officers["cho"], withdrawal.approval_process_id)
    assert process.status is ProcessStatus.APPROVED and conclusions(bank) == 1
    with pytest.raises(GovernanceError, match="already approved"):
        bank.governance.approve(officers["ben"], withdrawal.approval_process_id)
    assert conclusions(bank) == 1


def test_votes_that_break_the_rules_are_refused_and_write_nothing(bank, root, officers):
    bank.governance.require_committee(root, ProcessType.WITHDRAW, "Credit Committee", 2)
    _, account = funded_account(bank, root)
    process_id = bank.deposits.initiate_withdrawal(root, account.id, 10_00).approval_process_id
    bank.governance.approve(officers["ana"], process_id)
    before = snapshot(bank)
    with pytest.raises(GovernanceError, match="only members of Credit Committee"):
        bank.governance.approve(officers["outsider"], process_id)
    with pytest.raises(GovernanceError, match="already approved"):
        bank.governance.approve(officers["ana"], process_id)
    with pytest.raises(InvalidInput, match="needs a reason"):
        bank.governance.deny(officers["ben"], process_id, "  ")
    with pytest.raises(PermissionDenied):
        bank.governance.approve(officers["auditor"], process_id)
    assert snapshot(bank) == before


def test_one_denial_ends_the_process_at_once(bank, root, officers):
    bank.governance.require_committee(root, ProcessType.WITHDRAW, "Credit Committee", 3)
    _, account = funded_account(bank, root)
    process_id = bank.deposits.initiate_withdrawal(root, account.id, 10_00).approval_process_id
    bank.governance.approve(officers["ana"], process_id)
    process = bank.governance.deny(officers["ben"], process_id, "no source of funds")
    assert (process.status, process.denial_reason) == (ProcessStatus.DENIED, "no source of funds")
    with pytest.raises(GovernanceError, match="already denied"):
        bank.governance.approve(officers["cho"], process_id)


def test_only_current_members_count(bank, root, officers):
    bank.governance.require_committee(root, ProcessType.WITHDRAW, "Credit Committee", 2)
    _, account = funded_account(bank, root)
    process_id = bank.deposits.initiate_withdrawal(root, account.id, 10_00).approval_process_id
    bank.governance.approve(officers["ana"], process_id)
    bank.governance.remove_member(root, "Credit Committee", "ana@bank.example")
    assert bank.governance.approve(officers["ben"], process_id).status is ProcessStatus.IN_PROGRESS
    assert bank.governance.approve(officers["cho"], process_id).status is ProcessStatus.APPROVED


def test_committee_and_policy_rules(bank, root, officers):
    with pytest.raises(InvalidInput, match="between 1 and the committee's 3"):
        bank.governance.require_committee(root, ProcessType.DISBURSAL, "Credit Committee", 4)
    with pytest.raises(NotFound, match="no committee"):
        bank.governance.require_committee(root, ProcessType.DISBURSAL, "Risk", 1)
    bank.governance.create_committee(root, "Solo", ["ana@bank.example"])
    with pytest.raises(GovernanceError, match="last member"):
        bank.governance.remove_member(root, "Solo", "ana@bank.example")
    with pytest.raises(Exception, match="already taken"):
        bank.governance.create_committee(root, "credit committee", ["ben@bank.example"])
    bank.governance.require_committee(root, ProcessType.DISBURSAL, "Solo", 1)
    policy = bank.governance.approve_automatically(root, ProcessType.DISBURSAL)
    assert policy.auto_approve


def test_an_auto_approved_process_has_nothing_to_vote_on(bank, root, officers):
    _, account = funded_account(bank, root)
    process_id = bank.deposits.initiate_withdrawal(root, account.id, 10_00).approval_process_id
    assert bank.governance.process(root, process_id).status is ProcessStatus.APPROVED
    with pytest.raises(GovernanceError, match="approved automatically"):
        bank.governance.approve(officers["ana"], process_id)


def test_an_approval_takes_effect_at_once_even_while_an_older_transaction_is_open(bank, root, officers, database_url):
    """Consumers read a message once every older transaction has ended. Something else holding
    a transaction open (autovacuum's ANALYZE does, briefly) must delay the effect of an approval
    the operator just gave, not lose it until a worker passes."""
    import threading

    import psycopg

    bank.governance.require_committee(root, ProcessType.WITHDRAW, "Credit Committee", 1)
    _, account = funded_account(bank, root)
    withdrawal = bank.deposits.initiate_withdrawal(root, account.id, 10_00)
    blocker = psycopg.connect(database_url)
    blocker.execute("SELECT pg_current_xact_id()")  # an open transaction holding an id, older than the vote
    release = threading.Timer(0.3, blocker.rollback)
    release.start()
    try:
        bank.governance.approve(officers["ana"], withdrawal.approval_process_id)
        assert bank.deposits.withdrawal(root, withdrawal.id).status is WithdrawalStatus.PENDING_CONFIRMATION
    finally:
        release.cancel()
        release.join()
        blocker.close()

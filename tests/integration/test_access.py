"""Access control: every operation is checked, changes take effect at once, everything is audited."""

from __future__ import annotations

import pytest

from lana_core.access import audit
from lana_core.access.domain import PermissionDenied
from lana_core.access.permissions import PERMISSION_SETS, PREDEFINED_ROLES
from lana_core.app import AppConfig, Lana
from lana_core.errors import InvalidInput
from lana_core.setup import setup
from tests.integration.conftest import ROOT, new_customer, snapshot


def audit_rows(app, **kwargs):
    with app.db.unit_of_work() as uow:
        return audit.entries(uow.conn, **kwargs)


def test_setup_is_idempotent_and_creates_the_predefined_roles(bank, root):
    before = snapshot(bank)
    setup(bank, ROOT)
    after = snapshot(bank)
    assert {k: v for k, v in after.items()} == {k: v for k, v in before.items()}
    roles = {r.name: r for r in bank.access.roles(root)}
    assert set(roles) == set(PREDEFINED_ROLES)
    assert roles["superuser"].permission_sets == frozenset(PERMISSION_SETS)
    assert all(r.predefined for r in roles.values())


def test_a_user_without_permission_is_refused_writes_nothing_and_is_audited(bank, root):
    bank.access.create_user(root, "viewer@bank.example", roles=["accountant"])
    viewer = bank.actor("viewer@bank.example")
    before = snapshot(bank)
    with pytest.raises(PermissionDenied, match="viewer@bank.example may not customer:customer:create"):
        new_customer(bank, viewer)
    assert snapshot(bank) == before
    denied = audit_rows(bank, subject=viewer.subject, outcome="denied")
    assert [(e.object, e.action) for e in denied] == [("customer/customer/*", "customer:customer:create")]


def test_role_changes_take_effect_at_once_without_a_restart(bank, root, db):
    bank.access.create_user(root, "clerk@bank.example")
    clerk = bank.actor("clerk@bank.example")
    other_process = Lana(db, AppConfig())  # another instance, with its own cached rules
    with pytest.raises(PermissionDenied):
        other_process.customers.list(clerk)
    bank.access.assign_role(root, "clerk@bank.example", "bank-manager")
    assert other_process.customers.list(clerk) == []
    bank.access.revoke_role(root, "clerk@bank.example", "bank-manager")
    with pytest.raises(PermissionDenied):
        other_process.customers.list(clerk)


def test_a_custom_role_grants_exactly_its_permission_sets(bank, root):
    bank.access.create_role(root, "kyc-desk", ["customer_viewer", "customer_writer"])
    bank.access.create_user(root, "desk@bank.example", roles=["kyc-desk"])
    desk = bank.actor("desk@bank.example")
    customer = new_customer(bank, desk)
    with pytest.raises(PermissionDenied):
        bank.deposits.open_account(desk, customer.id)
    bank.access.add_permission_set(root, "kyc-desk", "deposit_writer")
    bank.deposits.open_account(desk, customer.id)
    with pytest.raises(InvalidInput, match="predefined role"):
        bank.access.add_permission_set(root, "accountant", "deposit_writer")
    with pytest.raises(InvalidInput, match="unknown permission set"):
        bank.access.create_role(root, "bad-role", ["everything"])


def test_a_user_holding_several_roles_has_the_union_of_their_permissions(bank, root):
    bank.access.create_user(root, "two@bank.example", roles=["accountant"])
    two = bank.actor("two@bank.example")
    with pytest.raises(PermissionDenied):
        new_customer(bank, two)
    bank.access.create_role(root, "onboarding", ["customer_writer"])
    bank.access.assign_role(root, "two@bank.example", "onboarding")
    new_customer(bank, two)
    assert bank.accounting.chart(two).code == "primary"  # from accountant


def test_the_predefined_roles_keep_their_boundaries(bank, root):
    bank.access.create_user(root, "manager@bank.example", roles=["bank-manager"])
    bank.access.create_user(root, "books@bank.example", roles=["accountant"])
    manager, books = bank.actor("manager@bank.example"), bank.actor("books@bank.example")
    with pytest.raises(PermissionDenied):
        bank.access.create_user(manager, "x@bank.example")  # no access_writer
    assert bank.access.users(manager)  # access_viewer
    customer = new_customer(bank, manager)
    account = bank.deposits.open_account(manager, customer.id)
    with pytest.raises(PermissionDenied):
        bank.deposits.record_deposit(books, account.id, 100)
    assert bank.deposits.balance(books, account.id).settled == 0  # deposit_viewer


def test_every_operation_is_audited_with_its_outcome(bank, root):
    customer = new_customer(bank, root)
    with pytest.raises(Exception):
        bank.customers.unfreeze(root, customer.id)  # not frozen: refused
    entries = audit_rows(bank, subject=root.subject, limit=3)
    assert [(e.action, e.outcome) for e in entries][:2] == [
        ("customer:customer:unfreeze", "refused"),
        ("customer:customer:create", "allowed"),
    ]
    assert "is not frozen" in entries[0].reason
    assert bank.access.audit_log(root, outcome="refused")[0].action == "customer:customer:unfreeze"


def test_decisions_on_a_kind_of_object_and_on_one_object(bank, root):
    """The authorizer decides once per kind of object (all rules name kinds); a rule naming one
    object still allows that object alone, and a change of rules is seen at once."""
    bank.access.create_user(root, "viewer@bank.example", roles=["accountant"])
    viewer = bank.actor("viewer@bank.example")
    customer = new_customer(bank, root)
    with bank.db.unit_of_work() as uow:
        allowed = lambda obj, act: bank.authorizer.allowed(uow.conn, viewer, obj, act)  # noqa: E731
        assert allowed(f"customer/customer/{customer.id}", "customer:customer:read")
        assert not allowed(f"customer/customer/{customer.id}", "customer:customer:freeze")
        uow.conn.execute("INSERT INTO access.casbin_rules (ptype, v0, v1, v2) VALUES "
                         "('p', %s, %s, 'customer:customer:freeze')", (viewer.subject, f"customer/customer/{customer.id}"))
        uow.conn.execute("UPDATE access.policy_version SET version = version + 1 WHERE id = 1")
        assert allowed(f"customer/customer/{customer.id}", "customer:customer:freeze")
        assert not allowed("customer/customer/someone-else", "customer:customer:freeze")
        assert not allowed("customer/customer/*", "customer:customer:freeze")

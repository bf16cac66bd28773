from uuid import uuid4

import pytest

from lana_core.access.domain import (
    Actor,
    PermissionSetAdded,
    PermissionSetRemoved,
    Role,
    RoleAssigned,
    RoleCreated,
    RoleRevoked,
    User,
    UserCreated,
)
from lana_core.access.permissions import PERMISSION_SETS, PREDEFINED_ROLES, SUPERUSER_ROLE
from lana_core.errors import InvalidInput
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly, refused


def a_user() -> User:
    return User.create(uuid4(), "ana@bank.sv", "Ana")


def a_role(sets=("customer_viewer",), predefined=False) -> Role:
    return Role.create(uuid4(), "teller", list(sets), predefined=predefined)


# --- actors -------------------------------------------------------------------------------


def test_a_user_actor_is_named_by_the_users_id_and_labelled_with_their_email():
    user = a_user()
    actor = Actor.user(user)
    assert (actor.kind, actor.id, actor.label) == ("user", user.id, "ana@bank.sv")
    assert actor.subject == f"user:{user.id}"


def test_a_system_actor_has_no_id_and_is_named_by_its_label():
    actor = Actor.system("report-runner")
    assert (actor.kind, actor.id, actor.label) == ("system", None, "report-runner")
    assert actor.subject == "system:report-runner"


def test_a_customer_actor_is_named_by_the_customers_id():
    customer_id = uuid4()
    assert Actor("customer", customer_id, "c@x.sv").subject == f"customer:{customer_id}"


# --- users --------------------------------------------------------------------------------


def test_a_new_user_has_a_normalised_email_a_trimmed_name_and_no_roles():
    user = User.create(uuid4(), "  Ana.Perez@Bank.SV ", "  Ana Pérez  ")
    assert (user.email, user.name, user.roles) == ("ana.perez@bank.sv", "Ana Pérez", frozenset())
    assert user.version == 1
    assert user.pending_events == [UserCreated("ana.perez@bank.sv", "Ana Pérez")]


def test_a_user_may_have_no_name():
    user = User.create(uuid4(), "ops@bank.sv")
    assert user.name is None
    assert user.pending_events == [UserCreated("ops@bank.sv", None)]



def test_a_blank_name_is_no_name():
    assert User.create(uuid4(), "ops@bank.sv", "   ").name is None


@pytest.mark.parametrize("email", ["", "ana", "ana@bank", "a b@bank.sv", "@bank.sv", "ana@@bank.sv"])
def test_a_user_needs_an_email_address(email):
    with raises_exactly(InvalidInput, "is not an email address"):
        User.create(uuid4(), email)


def test_a_role_is_assigned_once_and_revoked_only_when_held():
    user = a_user()
    user.assign_role("accountant")
    user.assign_role("admin")
    assert user.roles == frozenset({"accountant", "admin"})
    with refused(user, InvalidInput, "already has role accountant"):
        user.assign_role("accountant")
    user.revoke_role("admin")
    assert user.roles == frozenset({"accountant"})
    with refused(user, InvalidInput, "does not have role admin"):
        user.revoke_role("admin")
    assert user.pending_events[1:] == [RoleAssigned("accountant"), RoleAssigned("admin"), RoleRevoked("admin")]
    assert_rehydrates(user)


# --- roles --------------------------------------------------------------------------------


def test_a_role_holds_its_permission_sets_once_each():
    role = Role.create(uuid4(), "kyc-desk", ["customer_writer", "customer_viewer", "customer_viewer"])
    assert role.permission_sets == frozenset({"customer_viewer", "customer_writer"})
    assert role.pending_events == [RoleCreated("kyc-desk", ("customer_viewer", "customer_writer"), False)]
    assert not role.predefined


@pytest.mark.parametrize("name", ["", "Teller", "teller desk", "-teller", "t", "x" * 64, "teller_desk"])
def test_a_role_name_is_a_lowercase_word_or_words_joined_by_dashes(name):
    with raises_exactly(InvalidInput, "role names are lowercase words"):
        Role.create(uuid4(), name, ["customer_viewer"])


def test_unknown_permission_sets_are_refused():
    with raises_exactly(InvalidInput, "unknown permission set(s): everything, nothing"):
        Role.create(uuid4(), "teller", ["customer_viewer", "nothing", "everything"])
    role = a_role()
    with refused(role, InvalidInput, "unknown permission set(s): everything"):
        role.add_permission_set("everything")


def test_a_custom_role_gains_and_loses_permission_sets():
    role = a_role()
    role.add_permission_set("deposit_viewer")
    with refused(role, InvalidInput, "already has deposit_viewer"):
        role.add_permission_set("deposit_viewer")
    role.remove_permission_set("customer_viewer")
    with refused(role, InvalidInput, "does not have customer_viewer"):
        role.remove_permission_set("customer_viewer")
    assert role.permission_sets == frozenset({"deposit_viewer"})
    assert role.pending_events[1:] == [PermissionSetAdded("deposit_viewer"), PermissionSetRemoved("customer_viewer")]
    assert_rehydrates(role)


def test_a_predefined_role_cannot_be_changed():
    role = a_role(predefined=True)
    with refused(role, InvalidInput, "is a predefined role"):
        role.add_permission_set("deposit_viewer")
    with refused(role, InvalidInput, "is a predefined role"):
        role.remove_permission_set("customer_viewer")


def test_the_predefined_roles_use_only_known_permission_sets():
    assert PREDEFINED_ROLES[SUPERUSER_ROLE] == sorted(PERMISSION_SETS)
    for name, sets in PREDEFINED_ROLES.items():
        assert set(sets) <= set(PERMISSION_SETS), name
        Role.create(uuid4(), name, sets, predefined=True)
    assert "access_writer" not in PREDEFINED_ROLES["bank-manager"]
    assert not {"price_writer", "all_config_writer"} & set(PREDEFINED_ROLES["admin"])
    assert not any(s.endswith("_writer") and not s.startswith("accounting") for s in PREDEFINED_ROLES["accountant"])

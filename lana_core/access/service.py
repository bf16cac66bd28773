"""Operations on users and roles. Every one is checked, audited and atomic (``Lana.operation``)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from lana_core.access import audit
from lana_core.access.authorization import Policies
from lana_core.access.domain import Actor, Role, User
from lana_core.access.permissions import PERMISSION_SETS, PREDEFINED_ROLES, SUPERUSER_ROLE
from lana_core.db import UnitOfWork
from lana_core.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from lana_core.app import Lana


class AccessService:
    def __init__(self, app: Lana) -> None:
        self.app = app

    # --- bootstrap ----------------------------------------------------------------------

    def bootstrap(self, superuser_email: str) -> User:
        """Idempotent: the permission-set rules, the predefined roles, and a superuser."""
        with self.app.operation(Actor.system("bootstrap"), "access/user/*", "access:user:create") as uow:
            Policies(uow.conn).sync_permission_sets()
            for name, sets in PREDEFINED_ROLES.items():
                if self._find_role(uow, name) is None:
                    role = Role.create(self.app.db.ids(), name, sets, predefined=True)
                    uow.events.save(role)
                    Policies(uow.conn).set_role_permission_sets(name, sets)
            user = self._find_user(uow, superuser_email)
            if user is None:
                user = User.create(self.app.db.ids(), superuser_email)
                user.assign_role(SUPERUSER_ROLE)
                uow.events.save(user)
                Policies(uow.conn).set_user_roles(f"user:{user.id}", user.roles)
            return user

    def actor_for(self, email: str) -> Actor:
        with self.app.db.unit_of_work() as uow:
            user = self._find_user(uow, email)
        if user is None:
            raise NotFound(f"there is no user {email}")
        return Actor.user(user)

    # --- users --------------------------------------------------------------------------

    def create_user(self, actor: Actor, email: str, *, name: str | None = None, roles: list[str] = ()) -> User:
        with self.app.operation(actor, "access/user/*", "access:user:create") as uow:
            user = User.create(self.app.db.ids(), email, name)
            for role in roles:
                self._role(uow, role)
                user.assign_role(role)
            uow.events.save(user)
            Policies(uow.conn).set_user_roles(f"user:{user.id}", user.roles)
            return user

    def assign_role(self, actor: Actor, user_ref: str | UUID, role: str) -> User:
        return self._change_roles(actor, user_ref, role, "assign-role")

    def revoke_role(self, actor: Actor, user_ref: str | UUID, role: str) -> User:
        return self._change_roles(actor, user_ref, role, "revoke-role")

    def _change_roles(self, actor: Actor, user_ref: str | UUID, role: str, verb: str) -> User:
        with self.app.operation(actor, f"access/user/{user_ref}", f"access:user:{verb}") as uow:
            user = self._user(uow, user_ref)
            self._role(uow, role)
            if verb == "assign-role":
                user.assign_role(role)
            else:
                user.revoke_role(role)
            uow.events.save(user)
            Policies(uow.conn).set_user_roles(f"user:{user.id}", user.roles)
            return user

    def users(self, actor: Actor) -> list[User]:
        with self.app.operation(actor, "access/user/*", "access:user:list") as uow:
            return uow.events.find_all(User, order="state->>'email'")

    def user(self, actor: Actor, user_ref: str | UUID) -> User:
        with self.app.operation(actor, f"access/user/{user_ref}", "access:user:read") as uow:
            return self._user(uow, user_ref)

    # --- roles --------------------------------------------------------------------------

    def create_role(self, actor: Actor, name: str, permission_sets: list[str]) -> Role:
        with self.app.operation(actor, "access/role/*", "access:role:create") as uow:
            role = Role.create(self.app.db.ids(), name, permission_sets)
            uow.events.save(role)
            Policies(uow.conn).set_role_permission_sets(role.name, role.permission_sets)
            return role

    def add_permission_set(self, actor: Actor, role_name: str, permission_set: str) -> Role:
        return self._change_role(actor, role_name, permission_set, add=True)

    def remove_permission_set(self, actor: Actor, role_name: str, permission_set: str) -> Role:
        return self._change_role(actor, role_name, permission_set, add=False)

    def _change_role(self, actor: Actor, role_name: str, permission_set: str, *, add: bool) -> Role:
        with self.app.operation(actor, f"access/role/{role_name}", "access:role:update") as uow:
            role = self._role(uow, role_name)
            if add:
                role.add_permission_set(permission_set)
            else:
                role.remove_permission_set(permission_set)
            uow.events.save(role)
            Policies(uow.conn).set_role_permission_sets(role.name, role.permission_sets)
            return role

    def roles(self, actor: Actor) -> list[Role]:
        with self.app.operation(actor, "access/role/*", "access:role:list") as uow:
            return uow.events.find_all(Role, order="state->>'name'")

    def permission_sets(self, actor: Actor) -> dict[str, list[tuple[str, str]]]:
        with self.app.operation(actor, "access/permission-set/*", "access:permission-set:list"):
            return {name: list(grants) for name, grants in PERMISSION_SETS.items()}

    def audit_log(self, actor: Actor, *, subject: str | None = None, outcome: str | None = None,
                  limit: int = 100) -> list[audit.AuditEntry]:
        with self.app.operation(actor, "audit/audit/*", "audit:audit:list") as uow:
            return audit.entries(uow.conn, subject=subject, outcome=outcome, limit=limit)

    # --- lookups ------------------------------------------------------------------------

    def _find_user(self, uow: UnitOfWork, email: str) -> User | None:
        return uow.events.find_one(User, "lower(state->>'email') = lower(%s)", (email.strip(),))

    def _user(self, uow: UnitOfWork, ref: str | UUID) -> User:
        user = uow.events.find(User, ref) if isinstance(ref, UUID) else self._find_user(uow, ref)
        if user is None:
            raise NotFound(f"there is no user {ref}")
        return user

    def _find_role(self, uow: UnitOfWork, name: str) -> Role | None:
        return uow.events.find_one(Role, "state->>'name' = %s", (name,))

    def _role(self, uow: UnitOfWork, name: str) -> Role:
        role = self._find_role(uow, name)
        if role is None:
            raise InvalidInput(f"there is no role {name!r}")
        return role

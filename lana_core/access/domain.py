"""Users, roles and the actors of operations. Plain Python: no database here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from lana_core.errors import InvalidInput, LanaError
from lana_core.eventsourcing import Aggregate, Event
from lana_core.access.permissions import PERMISSION_SETS

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class PermissionDenied(LanaError):
    """The actor may not do this."""


@dataclass(frozen=True)
class Actor:
    """Who performs an operation.

    kind: ``user`` (an operator, checked against RBAC), ``system`` (Lana's own jobs and
    consumers, always allowed, always audited) or ``customer``; id: the user's or customer's id;
    label: something a person recognises (an email, a job's name).
    """

    kind: str
    id: UUID | None
    label: str

    @property
    def subject(self) -> str:
        """The Casbin subject and the audit log's ``subject``: user:<id>, system:<name>, ..."""
        return f"{self.kind}:{self.id if self.id is not None else self.label}"

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls("system", None, name)

    @classmethod
    def user(cls, user: User) -> Actor:
        return cls("user", user.id, user.email)


# --- users --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserCreated(Event):
    email: str
    name: str | None


@dataclass(frozen=True)
class RoleAssigned(Event):
    role: str


@dataclass(frozen=True)
class RoleRevoked(Event):
    role: str


class User(Aggregate):
    """An operator of the bank. email: how they log in and are named; roles: role names held
    (a user may hold several; permissions are the union)."""

    stream_type = "user"
    event_types = (UserCreated, RoleAssigned, RoleRevoked)

    email: str
    name: str | None
    roles: frozenset[str]

    @classmethod
    def create(cls, id: UUID, email: str, name: str | None = None) -> User:
        email = email.strip().lower()
        if not _EMAIL.match(email):
            raise InvalidInput(f"{email!r} is not an email address")
        user = cls(id)
        user._record(UserCreated(email, name.strip() if name and name.strip() else None))
        return user

    def assign_role(self, role: str) -> None:
        if role in self.roles:
            raise InvalidInput(f"{self.email} already has role {role}")
        self._record(RoleAssigned(role))

    def revoke_role(self, role: str) -> None:
        if role not in self.roles:
            raise InvalidInput(f"{self.email} does not have role {role}")
        self._record(RoleRevoked(role))

    def _apply(self, event: Event) -> None:
        match event:
            case UserCreated(email, name):
                self.email, self.name, self.roles = email, name, frozenset()
            case RoleAssigned(role):
                self.roles = self.roles | {role}
            case RoleRevoked(role):
                self.roles = self.roles - {role}


# --- roles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleCreated(Event):
    name: str
    permission_sets: tuple[str, ...]
    predefined: bool


@dataclass(frozen=True)
class PermissionSetAdded(Event):
    permission_set: str


@dataclass(frozen=True)
class PermissionSetRemoved(Event):
    permission_set: str


_ROLE_NAME = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


def _check_sets(names: list[str] | tuple[str, ...]) -> None:
    unknown = sorted(set(names) - set(PERMISSION_SETS))
    if unknown:
        raise InvalidInput(f"unknown permission set(s): {', '.join(unknown)} (see `lana access permission-sets`)")


class Role(Aggregate):
    """A named group of permission sets. predefined: shipped with Lana and not editable."""

    stream_type = "role"
    event_types = (RoleCreated, PermissionSetAdded, PermissionSetRemoved)

    name: str
    permission_sets: frozenset[str]
    predefined: bool

    @classmethod
    def create(cls, id: UUID, name: str, permission_sets: list[str], *, predefined: bool = False) -> Role:
        if not _ROLE_NAME.match(name):
            raise InvalidInput(f"role names are lowercase words joined by '-', got {name!r}")
        _check_sets(permission_sets)
        role = cls(id)
        role._record(RoleCreated(name, tuple(sorted(set(permission_sets))), predefined))
        return role

    def add_permission_set(self, permission_set: str) -> None:
        self._check_editable()
        _check_sets([permission_set])
        if permission_set in self.permission_sets:
            raise InvalidInput(f"role {self.name} already has {permission_set}")
        self._record(PermissionSetAdded(permission_set))

    def remove_permission_set(self, permission_set: str) -> None:
        self._check_editable()
        if permission_set not in self.permission_sets:
            raise InvalidInput(f"role {self.name} does not have {permission_set}")
        self._record(PermissionSetRemoved(permission_set))

    def _check_editable(self) -> None:
        if self.predefined:
            raise InvalidInput(f"{self.name} is a predefined role and cannot be changed; create a new role")

    def _apply(self, event: Event) -> None:
        match event:
            case RoleCreated(name, sets, predefined):
                self.name, self.permission_sets, self.predefined = name, frozenset(sets), predefined
            case PermissionSetAdded(permission_set):
                self.permission_sets = self.permission_sets | {permission_set}
            case PermissionSetRemoved(permission_set):
                self.permission_sets = self.permission_sets - {permission_set}

"""Role-based access control with Casbin, its rules kept in PostgreSQL.

Request ``(subject, object, action)``; ``user:<id>`` holds ``role:<name>`` rules, a role holds
permission sets, a permission set allows (object pattern, action). Rules change in the same
transaction as the user or role events that change them, and bump ``access.policy_version``;
every check reads the version and reloads the rules when it moved, so changes take effect at
once, without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import casbin
import psycopg
from casbin import persist

from lana_core.access.domain import Actor, PermissionDenied
from lana_core.access.permissions import PERMISSION_SETS

MODEL = """
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && r.act == p.act
"""


class _RulesTable(persist.Adapter):
    """Reads Casbin's rules from ``access.casbin_rules`` (written by ``Policies``, not by Casbin)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def load_policy(self, model) -> None:  # type: ignore[no-untyped-def]
        for ptype, v0, v1, v2 in self.conn.execute(
            "SELECT ptype, v0, v1, v2 FROM access.casbin_rules ORDER BY id"
        ):
            rule = [v0, v1] + ([v2] if v2 is not None else [])
            model.model[ptype[0]][ptype].policy.append(rule)


class Authorizer:
    """One per process; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = -1
        self._enforcer: casbin.Enforcer | None = None
        # Decisions for every object of a kind ("deposit/deposit/*"), per rules version. The
        # model only allows (no deny rule), so what is allowed on all objects of a kind is
        # allowed on each: one evaluation serves every entity. Casbin evaluates its matcher
        # against each rule in turn (about 1.5 ms with Lana's rules), once per operation
        # without this.
        self._kind_decisions: dict[tuple[str, str, str], bool] = {}

    def allowed(self, conn: psycopg.Connection, actor: Actor, obj: str, action: str) -> bool:
        if actor.kind == "system":
            return True  # Lana's own jobs; audited, not restricted
        version = conn.execute("SELECT version FROM access.policy_version WHERE id = 1").fetchone()[0]
        with self._lock:
            if version != self._version or self._enforcer is None:
                model = casbin.model.Model()
                model.load_model_from_text(MODEL)
                enforcer = casbin.Enforcer(model, _RulesTable(conn))
                self._enforcer, self._version = enforcer, version
                self._kind_decisions = {}
            kind = obj.rsplit("/", 1)[0] + "/*" if obj.count("/") >= 2 else obj
            key = (actor.subject, kind, action)
            decision = self._kind_decisions.get(key)
            if decision is None:
                decision = self._kind_decisions[key] = bool(self._enforcer.enforce(actor.subject, kind, action))
            # Denied on the whole kind: a rule may still name this very object.
            return decision or (obj != kind and bool(self._enforcer.enforce(actor.subject, obj, action)))

    def check(self, conn: psycopg.Connection, actor: Actor, obj: str, action: str) -> None:
        if not self.allowed(conn, actor, obj, action):
            raise PermissionDenied(f"{actor.label} may not {action} ({obj})")


class Policies:
    """Writes the rules. Called inside the transaction of the change they reflect."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def sync_permission_sets(self) -> None:
        """Make the ``p`` rules match the permission-set catalogue in code."""
        wanted = {(name, obj, action) for name, grants in PERMISSION_SETS.items() for obj, action in grants}
        stored = set(self.conn.execute("SELECT v0, v1, v2 FROM access.casbin_rules WHERE ptype = 'p'").fetchall())
        if wanted == stored:
            return
        self.conn.execute("DELETE FROM access.casbin_rules WHERE ptype = 'p'")
        self._insert("p", sorted(wanted))
        self._bump()

    def set_role_permission_sets(self, role: str, permission_sets: Iterable[str]) -> None:
        self.conn.execute("DELETE FROM access.casbin_rules WHERE ptype = 'g' AND v0 = %s", (f"role:{role}",))
        self._insert("g", [(f"role:{role}", s, None) for s in sorted(permission_sets)])
        self._bump()

    def set_user_roles(self, user_subject: str, roles: Iterable[str]) -> None:
        self.conn.execute("DELETE FROM access.casbin_rules WHERE ptype = 'g' AND v0 = %s", (user_subject,))
        self._insert("g", [(user_subject, f"role:{r}", None) for r in sorted(roles)])
        self._bump()

    def _insert(self, ptype: str, rules: list[tuple[str, str, str | None]]) -> None:
        if rules:
            with self.conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO access.casbin_rules (ptype, v0, v1, v2) VALUES (%s, %s, %s, %s)",
                    [(ptype, *r) for r in rules],
                )

    def _bump(self) -> None:
        self.conn.execute("UPDATE access.policy_version SET version = version + 1 WHERE id = 1")

"""The audit log: one append-only row per operation, whatever its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg


@dataclass(frozen=True)
class AuditEntry:
    """subject: who (user:<id>, system:<name>); object and action: what; outcome: allowed,
    denied (no permission), refused (bad input or wrong state) or failed (an error of ours)."""

    id: int
    recorded_at: datetime
    subject: str
    object: str
    action: str
    outcome: str
    reason: str | None


def record(conn: psycopg.Connection, recorded_at: datetime, subject: str, obj: str, action: str,
           outcome: str, reason: str | None = None) -> None:
    conn.execute(
        "INSERT INTO access.audit_log (recorded_at, subject, object, action, outcome, reason) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (recorded_at, subject, obj, action, outcome, reason),
    )


def entries(conn: psycopg.Connection, *, subject: str | None = None, outcome: str | None = None,
            limit: int = 100) -> list[AuditEntry]:
    rows = conn.execute(
        "SELECT id, recorded_at, subject, object, action, outcome, reason FROM access.audit_log "
        "WHERE (%(subject)s::text IS NULL OR subject = %(subject)s) "
        "AND (%(outcome)s::text IS NULL OR outcome = %(outcome)s) ORDER BY id DESC LIMIT %(limit)s",
        {"subject": subject, "outcome": outcome, "limit": limit},
    )
    return [AuditEntry(*row) for row in rows]

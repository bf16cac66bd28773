"""The application: the database, the clock, the access checks, and every context's service.

Every operation goes through ``Lana.operation(actor, object, action)``: it checks the actor's
permission, runs the body in one database transaction (events, outbox messages and ledger
postings together), writes the audit entry with it and commits. If anything refuses (no
permission, bad input, wrong state), the transaction rolls back, so nothing of the operation
remains, and the refusal is audited in a transaction of its own.

Messages published on the outbox are acted on by consumers, asynchronously: by a worker
(``lana worker``), or, with ``inline_consumers`` (the CLI's default), right after the
operation that published them commits, in transactions of their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from lana_core.access import audit
from lana_core.access.authorization import Authorizer
from lana_core.access.domain import Actor, PermissionDenied
from lana_core.config import Settings
from lana_core.db import Database, UnitOfWork
from lana_core.errors import LanaError
from lana_core.eventsourcing.outbox import (
    Consumer,
    ConsumerRun,
    await_readable,
    run_consumer,
)


@dataclass
class AppConfig:
    """inline_consumers: run the outbox consumers after each operation that published messages;
    kyc_webhook_secret: the shared secret of the KYC provider's webhook signatures;
    document_folder: where the local document storage keeps files (None: not configured);
    encryption_key: the key custodian secrets are encrypted with (LANA_ENCRYPTION_KEY)."""

    inline_consumers: bool = True
    kyc_webhook_secret: str | None = None
    document_folder: str | None = None
    encryption_key: str | None = None  # Fernet key (urlsafe base64) for secrets kept in the database

    @classmethod
    def from_env(cls, settings: Settings | None = None) -> AppConfig:
        """LANA_KYC_WEBHOOK_SECRET; documents under LANA_HOME/documents; LANA_INLINE_CONSUMERS=0
        leaves outbox messages to a separate worker."""
        settings = settings or Settings.from_env()
        return cls(
            inline_consumers=os.environ.get("LANA_INLINE_CONSUMERS", "1") not in ("0", "false", "no"),
            kyc_webhook_secret=os.environ.get("LANA_KYC_WEBHOOK_SECRET") or None,
            document_folder=str(settings.home / "documents"),
            encryption_key=os.environ.get("LANA_ENCRYPTION_KEY") or None,
        )


class Lana:
    def __init__(self, db: Database, config: AppConfig | None = None) -> None:
        from lana_core.access.service import AccessService
        from lana_core.accounting.service import AccountingService
        from lana_core.credit.service import CreditService
        from lana_core.custody.service import CustodyService
        from lana_core.customer.service import CustomerService
        from lana_core.deposit.service import DepositService
        from lana_core.exposed_config import ExposedConfig
        from lana_core.governance.service import GovernanceService
        from lana_core.price.service import PriceService
        from lana_core.report.service import ReportService

        self.db = db
        self.clock = db.clock
        self.config = config or AppConfig()
        self.authorizer = Authorizer()
        self.access = AccessService(self)
        self.settings = ExposedConfig(self)
        self.customers = CustomerService(self)
        self.governance = GovernanceService(self)
        self.deposits = DepositService(self)
        self.accounting = AccountingService(self)
        self.reports = ReportService(self)
        self.prices = PriceService(self)
        self.custody = CustodyService(self)
        self.credit = CreditService(self)
        self.consumers: list[Consumer] = [*self.deposits.consumers(), *self.credit.consumers()]

    @contextmanager
    def operation(self, actor: Actor, obj: str, action: str) -> Iterator[UnitOfWork]:
        published_before = 0
        with self.db.unit_of_work() as uow:
            uow.acting_as(actor.subject)
            try:
                self.authorizer.check(uow.conn, actor, obj, action)
                published_before = uow.outbox.published
                yield uow
                audit.record(uow.conn, self.clock.now(), actor.subject, obj, action, "allowed")
                uow.commit()
            except BaseException as exc:
                uow.rollback()
                if isinstance(exc, PermissionDenied):
                    outcome = "denied"
                elif isinstance(exc, LanaError):
                    outcome = "refused"
                elif isinstance(exc, Exception):
                    outcome = "failed"
                else:
                    raise
                self._audit_alone(actor, obj, action, outcome, f"{type(exc).__name__}: {exc}"
                                  if outcome == "failed" else str(exc))
                raise
            published = uow.outbox.published_types if uow.outbox.published > published_before else set()
            published_xact = uow.outbox.xact_id
        if published and self.config.inline_consumers:
            self.run_consumers(for_types=published, after_xact_id=published_xact)

    def _audit_alone(self, actor: Actor, obj: str, action: str, outcome: str, reason: str) -> None:
        with self.db.unit_of_work() as uow:
            audit.record(uow.conn, self.clock.now(), actor.subject, obj, action, outcome, reason[:2000])
            uow.commit()

    def run_consumers(self, *, limit: int | None = None, for_types: set[str] | None = None,
                      after_xact_id: int | None = None) -> list[ConsumerRun]:
        """Let every consumer process what is ready; returns what each did. ``for_types``: only
        the consumers of these message types, then those of what they publish in turn (after
        an operation: the others have nothing new to act on; they step over it later), once
        what transaction ``after_xact_id`` published can be read."""
        if for_types is None:
            return [run_consumer(self.db, consumer, limit=limit) for consumer in self.consumers]
        runs: list[ConsumerRun] = []
        while for_types:
            if after_xact_id is not None:
                await_readable(self.db, after_xact_id)
            concerned = [c for c in self.consumers if any(t.event_type() in for_types for t in c.handles)]
            done = [run_consumer(self.db, consumer, limit=limit) for consumer in concerned]
            runs += done
            for_types = set().union(*(run.published for run in done))
            after_xact_id = max((r.published_xact_id for r in done if r.published_xact_id), default=None)
        return runs

    def actor(self, email: str) -> Actor:
        """The operator with this email, as an actor."""
        return self.access.actor_for(email)

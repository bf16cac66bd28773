"""Operations on custodians and wallets, and the custodians' webhooks.

Operators (``custody_writer``) create custodians, rotate their secrets, activate and deactivate
them; ``custody_viewer`` lists custodians (never their secrets) and wallets. The credit context
opens a wallet per facility inside its own operation (``create_wallet``, ``wallet_for``,
``custodian``). A wallet's confirmed balance changes when its custodian says so (a verified
webhook, after which Lana asks the custodian for the balance) or, for the simulated custodian,
through ``set_balance``; each change publishes ``WalletBalanceChanged`` on the outbox, in the
same transaction, and only a change does.

Secrets are encrypted (``encryption.SecretBox``) before they reach an event; plaintexts live
only in memory, in the clients built for one call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson
import psycopg
from psycopg.types.json import Jsonb

from lana_core.access.domain import Actor
from lana_core.custody.domain import Custodian, CustodianKind, CustodyError, Wallet
from lana_core.custody.encryption import SecretBox
from lana_core.custody.events import WalletBalanceChanged
from lana_core.custody.providers import (
    BITGO_SIGNATURE_HEADER,
    DEFAULT_TIMEOUT,
    IDEMPOTENCY_HEADER,
    KOMAINU_SIGNATURE_HEADER,
    KOMAINU_TIMESTAMP_HEADER,
    CustodianClient,
    InvalidSignature,
    SimulatedClient,
    WebhookNotice,
    remote_client,
)
from lana_core.db import UnitOfWork
from lana_core.errors import InvalidInput, LanaError, NotFound, parse_enum

if TYPE_CHECKING:
    from lana_core.app import Lana

WEBHOOK_ACTOR = Actor.system("custodian-webhook")
SIMULATED_CUSTODIAN = Actor.system("simulated-custodian")
# The headers a delivery is logged with: those custody reads (never, say, an Authorization).
_LOGGED_HEADERS = (IDEMPOTENCY_HEADER, BITGO_SIGNATURE_HEADER, KOMAINU_SIGNATURE_HEADER, KOMAINU_TIMESTAMP_HEADER,
                   "content-type", "user-agent")


@dataclass(frozen=True)
class WebhookOutcome:
    """outcome: processed (the balance was read; it may not have changed), duplicate (this
    delivery was processed before) or ignored (not about a known wallet, or not a confirmed
    change); reason: what happened, in words."""

    outcome: str
    reason: str
    wallet_id: UUID | None = None
    balance_sats: int | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"outcome": self.outcome, "reason": self.reason}
        if self.wallet_id is not None:
            data |= {"wallet_id": str(self.wallet_id), "balance_sats": self.balance_sats, "unit": "sats"}
        return data


class CustodyService:
    def __init__(self, app: Lana, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.app = app
        self.timeout = timeout  # seconds, for each call to a custodian

    @property
    def box(self) -> SecretBox:
        return SecretBox(self.app.config.encryption_key)

    # --- custodians (operators) -------------------------------------------------------------

    def create_custodian(self, actor: Actor, name: str, kind: CustodianKind | str, base_url: str | None = None,
                         *, api_key: str | None = None, webhook_secret: str | None = None) -> Custodian:
        """A new, active custodian. BitGo and Komainu need a base URL, an API key and a webhook
        secret (stored encrypted); the simulated custodian needs none."""
        with self.app.operation(actor, "custody/custodian/*", "custody:custodian:create") as uow:
            kind = parse_enum(CustodianKind, kind, "custodian kind")
            api_key, webhook_secret = _clean(api_key), _clean(webhook_secret)
            if kind.remote:
                box = self.box
                api_key = api_key and box.encrypt(api_key)
                webhook_secret = webhook_secret and box.encrypt(webhook_secret)
            elif api_key or webhook_secret:
                raise InvalidInput("a simulated custodian has no base URL, API key or webhook secret")
            custodian = Custodian.create(self.app.db.ids(), name, kind, base_url, api_key, webhook_secret)
            uow.events.save(custodian)
            return custodian

    def rotate_secrets(self, actor: Actor, ref: UUID | str, *, api_key: str | None = None,
                       webhook_secret: str | None = None) -> Custodian:
        """Replace the API key, the webhook secret, or both; a secret not given is kept (and
        re-encrypted with the newest encryption key)."""
        with self.app.operation(actor, f"custody/custodian/{ref}", "custody:custodian:rotate-secrets") as uow:
            custodian = self._custodian_by_ref(uow, ref)
            api_key, webhook_secret = _clean(api_key), _clean(webhook_secret)
            if not custodian.kind.remote:
                raise CustodyError(f"custodian {custodian.name} is simulated: it has no secrets to rotate")
            if not (api_key or webhook_secret):
                raise InvalidInput("give a new API key, a new webhook secret, or both")
            box = self.box
            what = f"custodian {custodian.name}'s"
            custodian.rotate_secrets(
                box.encrypt(api_key) if api_key else box.reencrypt(custodian.api_key_ciphertext, f"{what} API key"),
                box.encrypt(webhook_secret) if webhook_secret else box.reencrypt(
                    custodian.webhook_secret_ciphertext, f"{what} webhook secret"),
            )
            uow.events.save(custodian)
            return custodian

    def activate(self, actor: Actor, ref: UUID | str) -> Custodian:
        with self.app.operation(actor, f"custody/custodian/{ref}", "custody:custodian:activate") as uow:
            return self._change(uow, ref, Custodian.activate)

    def deactivate(self, actor: Actor, ref: UUID | str) -> Custodian:
        """No new wallets there; the balances of its wallets keep being tracked."""
        with self.app.operation(actor, f"custody/custodian/{ref}", "custody:custodian:deactivate") as uow:
            return self._change(uow, ref, Custodian.deactivate)

    def _change(self, uow: UnitOfWork, ref: UUID | str, change) -> Custodian:  # type: ignore[no-untyped-def]
        custodian = self._custodian_by_ref(uow, ref)
        uow.events.lock(custodian.id)
        custodian = uow.events.load(Custodian, custodian.id)
        change(custodian)
        uow.events.save(custodian)
        return custodian

    def custodians(self, actor: Actor) -> list[Custodian]:
        with self.app.operation(actor, "custody/custodian/*", "custody:custodian:list") as uow:
            return uow.events.find_all(Custodian)

    def get_custodian(self, actor: Actor, ref: UUID | str) -> Custodian:
        with self.app.operation(actor, f"custody/custodian/{ref}", "custody:custodian:read") as uow:
            return self._custodian_by_ref(uow, ref)

    def webhooks(self, actor: Actor, ref: UUID | str | None = None, *, limit: int = 50) -> list[dict[str, Any]]:
        """The custodians' webhook deliveries (or one custodian's), newest first, with their outcome."""
        with self.app.operation(actor, f"custody/custodian/{ref or '*'}", "custody:custodian:read") as uow:
            custodian_id = None if ref is None else self._custodian_by_ref(uow, ref).id
            cursor = uow.conn.execute(
                "SELECT id, received_at, custodian_id, outcome, reason, external_wallet_id, wallet_id, balance_sats "
                "FROM custody.webhooks WHERE (%s::uuid IS NULL OR custodian_id = %s) ORDER BY id DESC LIMIT %s",
                (custodian_id, custodian_id, limit),
            )
            names = [c.name for c in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def _custodian_by_ref(self, uow: UnitOfWork, ref: UUID | str) -> Custodian:
        if isinstance(ref, UUID):
            found = uow.events.find(Custodian, ref)
        else:
            found = uow.events.find_one(Custodian, "lower(state->>'name') = lower(%s)", (" ".join(ref.split()),))
        if found is None:
            raise NotFound(f"there is no custodian {ref}")
        return found

    # --- for the credit context, inside its operation ---------------------------------------

    def custodian(self, uow: UnitOfWork, custodian_id: UUID) -> Custodian:
        """The custodian, if it exists and is active (else NotFound / CustodyError)."""
        custodian = uow.events.find(Custodian, custodian_id)
        if custodian is None:
            raise NotFound(f"there is no custodian {custodian_id}")
        custodian.check_active()
        return custodian

    def create_wallet(self, uow: UnitOfWork, custodian_id: UUID, owner_id: UUID, label: str) -> Wallet:
        """Open a wallet at an active custodian for ``owner_id`` (one wallet per owner). The
        custodian is asked first; if the caller's transaction then rolls back, the wallet stays
        open at the custodian, unused."""
        label = " ".join((label or "").split())
        if not label:
            raise InvalidInput("a wallet needs a label")
        uow.events.lock(custodian_id, shared=True)  # stays active until this transaction ends
        custodian = self.custodian(uow, custodian_id)
        existing = self.wallet_for(uow, owner_id)
        if existing is not None:
            raise CustodyError(f"{owner_id} already has a wallet ({existing.id}, {existing.address})")
        opened = self._client(uow, custodian).create_wallet(label)
        wallet = Wallet.create(self.app.db.ids(), custodian.id, owner_id, opened.external_wallet_id, opened.address,
                               label)
        uow.events.save(wallet)
        return wallet

    def wallet_for(self, uow: UnitOfWork, owner_id: UUID) -> Wallet | None:
        return uow.events.find_one(Wallet, "state->>'owner_id' = %s", (str(owner_id),))

    # --- wallets (operators) ----------------------------------------------------------------

    def open_wallet(self, actor: Actor, custodian_ref: UUID | str, owner_id: UUID, label: str | None = None) -> Wallet:
        """An operator opens a wallet (the credit context opens facilities' wallets itself)."""
        with self.app.operation(actor, "custody/wallet/*", "custody:wallet:create") as uow:
            custodian = self._custodian_by_ref(uow, custodian_ref)
            return self.create_wallet(uow, custodian.id, owner_id, label or f"CF {owner_id}")

    def wallets(self, actor: Actor, *, owner_id: UUID | None = None, custodian_ref: UUID | str | None = None,
                limit: int = 500) -> list[Wallet]:
        with self.app.operation(actor, "custody/wallet/*", "custody:wallet:list") as uow:
            custodian = None if custodian_ref is None else str(self._custodian_by_ref(uow, custodian_ref).id)
            owner = None if owner_id is None else str(owner_id)
            return uow.events.find_all(
                Wallet,
                "(%s::text IS NULL OR state->>'owner_id' = %s) AND (%s::text IS NULL OR state->>'custodian_id' = %s)",
                (owner, owner, custodian, custodian),
                limit=limit,
            )

    def get_wallet(self, actor: Actor, wallet_id: UUID) -> Wallet:
        with self.app.operation(actor, f"custody/wallet/{wallet_id}", "custody:wallet:read") as uow:
            return uow.events.load(Wallet, wallet_id)

    def set_balance(self, wallet_id: UUID, sats: int, *, actor: Actor | None = None) -> Wallet:
        """The simulated custodian reports a confirmed balance for one of its wallets, as a
        confirmed deposit (or withdrawal) would. Acts as ``system:simulated-custodian``, or as
        the operator given (who then needs the permission)."""
        actor = actor or SIMULATED_CUSTODIAN
        with self.app.operation(actor, f"custody/wallet/{wallet_id}", "custody:wallet:set-simulated-balance") as uow:
            uow.events.lock(wallet_id)
            wallet = uow.events.load(Wallet, wallet_id)
            custodian = uow.events.load(Custodian, wallet.custodian_id)
            if custodian.kind is not CustodianKind.SIMULATED:
                raise CustodyError(
                    f"wallet {wallet.label} is held by {custodian.kind} custodian {custodian.name}: only a "
                    "simulated custodian's balances are set by hand"
                )
            self._record_balance(uow, wallet, sats)
            return wallet

    def _record_balance(self, uow: UnitOfWork, wallet: Wallet, sats: int) -> bool:
        """Record the confirmed balance; on a change, save it and publish it (same transaction)."""
        now = self.app.clock.now()
        if not wallet.update_balance(sats, now):
            return False
        uow.events.save(wallet)
        uow.outbox.publish(WalletBalanceChanged(wallet.id, wallet.owner_id, sats, now))
        return True

    # --- clients ----------------------------------------------------------------------------

    def _client(self, uow: UnitOfWork, custodian: Custodian) -> CustodianClient:
        """The custodian's client, its secrets decrypted for this call only."""
        if custodian.kind is CustodianKind.SIMULATED:
            def balance_of(external_wallet_id: str) -> int:
                wallet = self._wallet_by_external_id(uow, custodian.id, external_wallet_id)
                if wallet is None:
                    raise NotFound(f"custodian {custodian.name} has no wallet {external_wallet_id}")
                return wallet.balance_sats

            return SimulatedClient(self.app.db.ids, balance_of)
        box, what = self.box, f"custodian {custodian.name}'s"
        return remote_client(
            custodian.kind, custodian.base_url or "",
            box.decrypt(custodian.api_key_ciphertext or "", f"{what} API key"),
            box.decrypt(custodian.webhook_secret_ciphertext or "", f"{what} webhook secret"),
            timeout=self.timeout,
        )

    def _wallet_by_external_id(self, uow: UnitOfWork, custodian_id: UUID, external_wallet_id: str) -> Wallet | None:
        return uow.events.find_one(
            Wallet, "state->>'custodian_id' = %s AND state->>'external_wallet_id' = %s",
            (str(custodian_id), external_wallet_id),
        )

    # --- webhooks ---------------------------------------------------------------------------

    def handle_webhook(self, custodian_id: UUID, headers: Mapping[str, str], body: bytes) -> WebhookOutcome:
        """Verify and act on one delivery from a custodian; every delivery is logged.

        Unknown custodian: NotFound (not logged). Bad or missing signature, unreadable body:
        refused (InvalidSignature, InvalidInput) and logged, nothing else changes. A processed
        delivery seen again: duplicate. Not about a known wallet, or not a confirmed change:
        ignored. Otherwise the wallet's confirmed balance is read from the custodian and
        recorded, publishing ``WalletBalanceChanged`` if it changed. If the custodian cannot be
        reached, nothing changes, the delivery is logged as failed and the error raised (the
        custodian retries; the retry is processed).
        """
        headers = {k.lower(): v for k, v in headers.items()}
        logged = {k: headers[k] for k in _LOGGED_HEADERS if k in headers}
        with self.app.db.unit_of_work() as uow:
            custodian = uow.events.find(Custodian, custodian_id)
            if custodian is None:
                raise NotFound(f"there is no custodian {custodian_id}")
            try:
                client = self._client(uow, custodian)
            except LanaError as exc:
                self._log(custodian.id, None, "failed", str(exc), logged, body)
                raise
        key = client.idempotency_key(headers)
        try:
            notice = client.read_webhook(headers, body)
        except (InvalidSignature, InvalidInput) as exc:
            self._log(custodian.id, key, "rejected", str(exc), logged, body)
            raise
        log = lambda outcome, reason, **more: self._log(  # noqa: E731
            custodian.id, key, outcome, reason, logged, body, external_wallet_id=notice.external_wallet_id, **more)
        try:
            with self.app.operation(WEBHOOK_ACTOR, f"custody/custodian/{custodian.id}",
                                    "custody:wallet:record-balance") as uow:
                return self._act_on(uow, custodian, key, notice, logged, body)
        except psycopg.errors.UniqueViolation:
            # The same delivery, processed concurrently by another request, won the race.
            log("duplicate", "delivered twice at once")
            return WebhookOutcome("duplicate", "delivered twice at once")
        except LanaError as exc:  # the custodian is unreachable or answered nonsense
            log("failed", str(exc))
            raise

    def _act_on(self, uow: UnitOfWork, custodian: Custodian, key: str | None, notice: WebhookNotice,
                logged: dict[str, str], body: bytes) -> WebhookOutcome:
        def record(outcome: WebhookOutcome) -> WebhookOutcome:
            self._insert_log(uow, custodian.id, key, outcome.outcome, outcome.reason, logged, body,
                             external_wallet_id=notice.external_wallet_id, wallet_id=outcome.wallet_id,
                             balance_sats=outcome.balance_sats)
            return outcome

        wallet = None
        if notice.external_wallet_id:
            wallet = self._wallet_by_external_id(uow, custodian.id, notice.external_wallet_id)
        if wallet is not None:
            # One delivery at a time per wallet: the balance read last is recorded last, and a
            # concurrent replay finds this one's log row once it waits here.
            uow.events.lock(wallet.id)
        if key is not None and self._seen(uow, custodian.id, key):
            return record(WebhookOutcome("duplicate", "delivered before"))
        if not notice.relevant:
            return record(WebhookOutcome("ignored", notice.description))
        if wallet is None:
            return record(WebhookOutcome("ignored", f"{notice.description}: no wallet {notice.external_wallet_id} "
                                                    f"at custodian {custodian.name}"))
        wallet = uow.events.load(Wallet, wallet.id)  # as of the lock
        sats = self._client(uow, custodian).confirmed_balance(wallet.external_wallet_id)
        changed = self._record_balance(uow, wallet, sats)
        reason = f"{notice.description}: confirmed balance {sats} sats" + ("" if changed else ", unchanged")
        return record(WebhookOutcome("processed", reason, wallet.id, sats))

    def _seen(self, uow: UnitOfWork, custodian_id: UUID, key: str) -> bool:
        return uow.conn.execute(
            "SELECT 1 FROM custody.webhooks WHERE custodian_id = %s AND idempotency_key = %s AND outcome = 'processed'",
            (custodian_id, key),
        ).fetchone() is not None

    def _insert_log(self, uow: UnitOfWork, custodian_id: UUID, key: str | None, outcome: str, reason: str,
                    headers: dict[str, str], body: bytes, *, external_wallet_id: str | None = None,
                    wallet_id: UUID | None = None, balance_sats: int | None = None) -> None:
        uow.conn.execute(
            "INSERT INTO custody.webhooks (received_at, custodian_id, idempotency_key, outcome, reason, "
            "external_wallet_id, wallet_id, balance_sats, headers, body) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (self.app.clock.now(), custodian_id, key, outcome, reason[:2000], external_wallet_id, wallet_id,
             balance_sats, Jsonb(headers, dumps=orjson.dumps), body.decode("utf-8", "replace")),
        )

    def _log(self, custodian_id: UUID, key: str | None, outcome: str, reason: str, headers: dict[str, str],
             body: bytes, **more: Any) -> None:
        with self.app.db.unit_of_work() as uow:
            self._insert_log(uow, custodian_id, key, outcome, reason, headers, body, **more)
            uow.commit()


def _clean(secret: str | None) -> str | None:
    return (secret or "").strip() or None

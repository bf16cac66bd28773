"""Custodians and the wallets they hold. Plain Python: no database, no HTTP here.

A ``Custodian`` is a provider holding bitcoin for the bank (BitGo, Komainu, or the simulated one
used by tests and the simulator). Its secrets (API key, webhook secret) are kept only as
ciphertext, in private attributes: they are in its events, never in its snapshot (the read
model, lists, the CLI). A ``Wallet`` is one address at a custodian, opened for an owner (a credit
facility), with the confirmed balance the custodian last reported, in satoshis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit
from uuid import UUID

from lana_core.errors import InvalidInput, LanaError
from lana_core.eventsourcing import Aggregate, Event


class CustodyError(LanaError):
    """A custody operation is not allowed in the current state."""


class CustodianKind(StrEnum):
    BITGO = "bitgo"
    KOMAINU = "komainu"
    SIMULATED = "simulated"  # no HTTP: tests and the simulator set balances themselves

    @property
    def remote(self) -> bool:
        """Whether the custodian is reached over HTTP (and so needs a base URL and secrets)."""
        return self is not CustodianKind.SIMULATED


_NAME = re.compile(r"^\S(.{0,98}\S)?$")


def check_base_url(base_url: str) -> str:
    """An http(s) URL with a host and nothing after the path; returned without a trailing slash."""
    url = base_url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port validates it
    except ValueError:
        parts = None
    if parts is not None and (parts.username or parts.password):
        # Not quoted: the refusal is audited, and the credentials must not be.
        raise InvalidInput("a base URL may not carry credentials (the API key is given on its own)")
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{base_url!r} is not a base URL (http(s)://host[:port][/path])")
    if parts.query or parts.fragment:
        raise InvalidInput(f"base URL {base_url!r} may not carry a query or a fragment")
    return url.rstrip("/")


# --- custodians ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CustodianCreated(Event):
    """api_key / webhook_secret: Fernet tokens (ciphertext), None for the simulated custodian."""

    name: str
    kind: CustodianKind
    base_url: str | None
    api_key: str | None
    webhook_secret: str | None


@dataclass(frozen=True)
class CustodianSecretsRotated(Event):
    """The new ciphertexts; None keeps the secret as it was."""

    api_key: str | None
    webhook_secret: str | None


@dataclass(frozen=True)
class CustodianActivated(Event):
    pass


@dataclass(frozen=True)
class CustodianDeactivated(Event):
    pass


class Custodian(Aggregate):
    """name: unique, how operators name it; kind: which client speaks to it; base_url: its API
    (None when simulated); active: whether new wallets may be opened there (the balances of
    wallets already open keep being tracked either way); has_api_key / has_webhook_secret:
    whether those secrets are set (their ciphertexts stay private)."""

    stream_type = "custodian"
    restorable = False  # the secrets' ciphertexts are private: loaded by replaying the events
    event_types = (CustodianCreated, CustodianSecretsRotated, CustodianActivated, CustodianDeactivated)

    name: str
    kind: CustodianKind
    base_url: str | None
    active: bool
    has_api_key: bool
    has_webhook_secret: bool
    secrets_version: int  # 1 at creation, +1 per rotation

    @classmethod
    def create(cls, id: UUID, name: str, kind: CustodianKind, base_url: str | None,
               api_key: str | None, webhook_secret: str | None) -> Custodian:
        """api_key / webhook_secret are ciphertext already (the domain never sees a plaintext)."""
        name = " ".join(name.split())
        if not _NAME.match(name):
            raise InvalidInput(f"a custodian needs a name of 1 to 100 characters, got {name!r}")
        if kind.remote:
            if not base_url:
                raise InvalidInput(f"a {kind} custodian needs a base URL")
            base_url = check_base_url(base_url)
            missing = [what for what, value in (("an API key", api_key), ("a webhook secret", webhook_secret))
                       if not value]
            if missing:
                raise InvalidInput(f"a {kind} custodian needs {' and '.join(missing)}")
        elif base_url or api_key or webhook_secret:
            raise InvalidInput("a simulated custodian has no base URL, API key or webhook secret")
        custodian = cls(id)
        custodian._record(CustodianCreated(name, kind, base_url, api_key, webhook_secret))
        return custodian

    @property
    def api_key_ciphertext(self) -> str | None:
        return self._api_key

    @property
    def webhook_secret_ciphertext(self) -> str | None:
        return self._webhook_secret

    def rotate_secrets(self, api_key: str | None, webhook_secret: str | None) -> None:
        """Replace either secret or both (ciphertexts)."""
        if not self.kind.remote:
            raise CustodyError(f"custodian {self.name} is simulated: it has no secrets to rotate")
        if not (api_key or webhook_secret):
            raise InvalidInput("give a new API key, a new webhook secret, or both")
        self._record(CustodianSecretsRotated(api_key or None, webhook_secret or None))

    def activate(self) -> None:
        if not self.active:
            self._record(CustodianActivated())

    def deactivate(self) -> None:
        if self.active:
            self._record(CustodianDeactivated())

    def check_active(self) -> None:
        if not self.active:
            raise CustodyError(f"custodian {self.name} is not active: no new wallets there")

    def _apply(self, event: Event) -> None:
        match event:
            case CustodianCreated():
                self.name, self.kind, self.base_url = event.name, event.kind, event.base_url
                self._api_key, self._webhook_secret = event.api_key, event.webhook_secret
                self.active = True
                self.secrets_version = 1
            case CustodianSecretsRotated():
                self._api_key = event.api_key or self._api_key
                self._webhook_secret = event.webhook_secret or self._webhook_secret
                self.secrets_version += 1
            case CustodianActivated():
                self.active = True
            case CustodianDeactivated():
                self.active = False
        self.has_api_key = self._api_key is not None
        self.has_webhook_secret = self._webhook_secret is not None


# --- wallets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WalletCreated(Event):
    custodian_id: UUID
    owner_id: UUID
    external_wallet_id: str
    address: str
    label: str


@dataclass(frozen=True)
class WalletBalanceUpdated(Event):
    """The custodian's confirmed balance, in satoshis, and when Lana learned it."""

    balance_sats: int
    changed_at: datetime


class Wallet(Aggregate):
    """custodian_id: who holds it; owner_id: what it was opened for (a credit facility);
    external_wallet_id: the custodian's id of it; address: where bitcoin is sent; balance_sats:
    the confirmed balance last reported (integer satoshis); balance_changed_at: when."""

    stream_type = "custody_wallet"
    event_types = (WalletCreated, WalletBalanceUpdated)

    custodian_id: UUID
    owner_id: UUID
    external_wallet_id: str
    address: str
    label: str
    balance_sats: int
    balance_changed_at: datetime | None

    @classmethod
    def create(cls, id: UUID, custodian_id: UUID, owner_id: UUID, external_wallet_id: str, address: str,
               label: str) -> Wallet:
        external_wallet_id, address, label = external_wallet_id.strip(), address.strip(), label.strip()
        if not external_wallet_id or not address:
            raise InvalidInput("the custodian returned a wallet without an id or an address")
        if not label:
            raise InvalidInput("a wallet needs a label")
        wallet = cls(id)
        wallet._record(WalletCreated(custodian_id, owner_id, external_wallet_id, address, label))
        return wallet

    def update_balance(self, balance_sats: int, changed_at: datetime) -> bool:
        """Record the custodian's confirmed balance; True if it changed (only then an event)."""
        if isinstance(balance_sats, bool) or not isinstance(balance_sats, int):
            raise InvalidInput(f"a balance is an integer number of satoshis, got {balance_sats!r}")
        if balance_sats < 0:
            raise InvalidInput(f"a confirmed balance cannot be negative ({balance_sats} sats)")
        if balance_sats == self.balance_sats:
            return False
        self._record(WalletBalanceUpdated(balance_sats, changed_at))
        return True

    def _apply(self, event: Event) -> None:
        match event:
            case WalletCreated():
                self.custodian_id, self.owner_id = event.custodian_id, event.owner_id
                self.external_wallet_id, self.address, self.label = (
                    event.external_wallet_id, event.address, event.label)
                self.balance_sats = 0
                self.balance_changed_at = None
            case WalletBalanceUpdated():
                self.balance_sats = event.balance_sats
                self.balance_changed_at = event.changed_at

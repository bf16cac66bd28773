"""Custodian clients: one interface, one adapter per provider kind. No database here.

Every client opens wallets, reads a wallet's confirmed balance (integer satoshis), and verifies
and reads the custodian's webhooks. A webhook is only a hint that something changed: Lana never
takes a balance from a webhook's body, it asks the custodian (so a replayed or reordered
delivery can at worst cause one more, harmless, balance read).

- BitGo: HMAC-SHA256 of the raw body (hex) in ``x-signature-sha256``; only confirmed,
  non-simulated transfers matter.
- Komainu: HMAC-SHA256 of ``timestamp + "." + body`` (hex) in ``x-komainu-signature``, the
  timestamp in ``x-komainu-timestamp``; ``BalanceUpdated`` on a ``Wallet`` matters; balances are
  BTC decimal strings, converted exactly to satoshis.
- Simulated: no HTTP and no webhooks; the service sets balances (``CustodyService.set_balance``).

A delivery's idempotency key is its ``idempotency-key`` header, else its signature.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from urllib.parse import quote
from uuid import UUID

from lana_core.custody.domain import CustodianKind
from lana_core.errors import InvalidInput, LanaError

SATS_PER_BTC = 100_000_000
IDEMPOTENCY_HEADER = "idempotency-key"
BITGO_SIGNATURE_HEADER = "x-signature-sha256"
KOMAINU_SIGNATURE_HEADER = "x-komainu-signature"
KOMAINU_TIMESTAMP_HEADER = "x-komainu-timestamp"
DEFAULT_TIMEOUT = 10.0  # seconds, per connection attempt and per read
_MAX_RESPONSE = 1 << 20


class InvalidSignature(LanaError):
    """A webhook's signature is missing or does not match: it did not come from the custodian."""


class CustodianUnavailable(LanaError):
    """The custodian could not be reached or gave an answer Lana cannot use; nothing was changed."""


@dataclass(frozen=True)
class NewWallet:
    """A wallet the custodian just opened: its id there, and its receive address."""

    external_wallet_id: str
    address: str


@dataclass(frozen=True)
class WebhookNotice:
    """What a verified delivery says. external_wallet_id: the custodian's wallet it is about, if
    any; relevant: whether that wallet's confirmed balance may have changed; description: what
    the delivery is (and why it does not matter, when it does not)."""

    external_wallet_id: str | None
    relevant: bool
    description: str


class CustodianClient(Protocol):
    def create_wallet(self, label: str) -> NewWallet: ...

    def confirmed_balance(self, external_wallet_id: str) -> int:
        """The wallet's confirmed balance, in satoshis."""
        ...

    def idempotency_key(self, headers: Mapping[str, str]) -> str | None: ...

    def read_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookNotice:
        """Verify the delivery's signature (InvalidSignature) and read it (InvalidInput)."""
        ...


# --- amounts ------------------------------------------------------------------------------


def btc_to_sats(value: Any) -> int:
    """An exact BTC amount ("0.5", "1e-8", 2, Decimal) as integer satoshis; refuses floats (they
    are not exact), negative amounts and more than 8 decimal places."""
    if isinstance(value, (bool, float)) or not isinstance(value, (str, int, Decimal)):
        raise InvalidInput(f"{value!r} is not an exact BTC amount (a decimal string)")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not a BTC amount") from None
    if not amount.is_finite():
        raise InvalidInput(f"{value!r} is not a BTC amount")
    sats = amount.scaleb(8)
    if sats != sats.to_integral_value():
        raise InvalidInput(f"{value!r} BTC has more than 8 decimal places")
    if sats < 0:
        raise InvalidInput(f"{value!r} BTC is negative")
    return int(sats)


def sats_from_integer(value: Any) -> int:
    """A satoshi amount given as a JSON integer or a string of digits."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InvalidInput(f"{value!r} is not a number of satoshis")


def sats_to_btc(sats: int) -> str:
    """Integer satoshis as an exact BTC decimal string, 8 places ("0.50000000")."""
    sign = "-" if sats < 0 else ""
    whole, frac = divmod(abs(sats), SATS_PER_BTC)
    return f"{sign}{whole}.{frac:08d}"


# --- signatures ---------------------------------------------------------------------------


def _hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def bitgo_signature(secret: str, body: bytes) -> str:
    return _hmac_hex(secret, body)


def komainu_signature(secret: str, timestamp: str, body: bytes) -> str:
    return _hmac_hex(secret, timestamp.encode() + b"." + body)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, whatever the case of its name; None when absent or blank."""
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip() or None
    return None


def _check(expected: str, given: str | None, who: str, header_name: str) -> None:
    if not given:
        raise InvalidSignature(f"the {who} webhook has no signature ({header_name})")
    if not hmac.compare_digest(expected, given.lower()):
        raise InvalidSignature(f"the {who} webhook's signature does not match its body")


def _json_object(body: bytes, who: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(f"the {who} webhook body is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"the {who} webhook body is not a JSON object")
    return data


def _text(data: dict[str, Any], key: str, who: str) -> str:
    value = data.get(key)
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
        raise InvalidInput(f"the {who} webhook has no {key!r}")
    return str(value).strip()


def _key(headers: Mapping[str, str], signature_header: str) -> str | None:
    return header(headers, IDEMPOTENCY_HEADER) or header(headers, signature_header)


def read_bitgo_webhook(secret: str, headers: Mapping[str, str], body: bytes) -> WebhookNotice:
    _check(bitgo_signature(secret, body), header(headers, BITGO_SIGNATURE_HEADER), "BitGo", BITGO_SIGNATURE_HEADER)
    data = _json_object(body, "BitGo")
    if data.get("type") != "transfer":
        return WebhookNotice(None, False, f"not a transfer (type {data.get('type')!r})")
    wallet = _text(data, "wallet", "BitGo")
    transfer = data.get("transfer")
    if data.get("simulation") not in (False, None):
        return WebhookNotice(wallet, False, f"simulated transfer {transfer}")
    state = data.get("state")
    if state != "confirmed":
        return WebhookNotice(wallet, False, f"transfer {transfer} is {state or 'without a state'}, not confirmed")
    return WebhookNotice(wallet, True, f"confirmed transfer {transfer}")


def read_komainu_webhook(secret: str, headers: Mapping[str, str], body: bytes) -> WebhookNotice:
    signature = header(headers, KOMAINU_SIGNATURE_HEADER)
    timestamp = header(headers, KOMAINU_TIMESTAMP_HEADER)
    if signature and not timestamp:
        raise InvalidSignature(f"the Komainu webhook has no timestamp ({KOMAINU_TIMESTAMP_HEADER})")
    _check(komainu_signature(secret, timestamp or "", body), signature, "Komainu", KOMAINU_SIGNATURE_HEADER)
    data = _json_object(body, "Komainu")
    event_type, entity = data.get("event_type"), data.get("entity")
    if event_type != "BalanceUpdated" or str(entity).lower() != "wallet":
        return WebhookNotice(None, False, f"not a wallet balance update ({event_type} on {entity})")
    wallet = _text(data, "entity_id", "Komainu")
    return WebhookNotice(wallet, True, "wallet balance updated")


# --- HTTP ---------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the API key to wherever it points: refuse them."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects())


class JsonApi:
    """JSON over HTTP to one custodian, ``Authorization: Bearer <api key>``, with timeouts.
    Errors never quote the key."""

    def __init__(self, who: str, base_url: str, api_key: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.who = who
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self._api_key}",
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        where = f"{self.who} {method} {path}"
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                raw = response.read(_MAX_RESPONSE + 1)
        except urllib.error.HTTPError as exc:
            raise CustodianUnavailable(f"{where} answered HTTP {exc.code}{_reason(exc)}") from None
        except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets, bad answers
            reason = getattr(exc, "reason", exc)
            raise CustodianUnavailable(f"{where} failed: {reason}") from None
        if len(raw) > _MAX_RESPONSE:
            raise CustodianUnavailable(f"{where}: the answer is larger than {_MAX_RESPONSE} bytes")
        try:
            answer = json.loads(raw)
        except ValueError:
            raise CustodianUnavailable(f"{where}: the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise CustodianUnavailable(f"{where}: the answer is not a JSON object")
        return answer


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        detail = exc.read(300).decode("utf-8", "replace").strip()
    except Exception:  # noqa: BLE001 - the status is what matters
        detail = ""
    return f" ({' '.join(detail.split())[:200]})" if detail else ""


def _field(answer: dict[str, Any], where: str, *path: str) -> Any:
    value: Any = answer
    for key in path:
        if not isinstance(value, dict) or key not in value:
            raise CustodianUnavailable(f"{where}: the answer has no {'.'.join(path)}")
        value = value[key]
    return value


def _amount(where: str, convert: Callable[[Any], int], value: Any) -> int:
    try:
        return convert(value)
    except InvalidInput as exc:
        raise CustodianUnavailable(f"{where}: {exc}") from None


# --- adapters -----------------------------------------------------------------------------


class BitGoClient:
    def __init__(self, base_url: str, api_key: str, webhook_secret: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.api = JsonApi("BitGo", base_url, api_key, timeout=timeout)
        self._webhook_secret = webhook_secret

    def create_wallet(self, label: str) -> NewWallet:
        answer = self.api.call("POST", "/api/v2/btc/wallet/generate", {"label": label})
        where = "BitGo wallet generation"
        return NewWallet(str(_field(answer, where, "id")), str(_field(answer, where, "receiveAddress", "address")))

    def confirmed_balance(self, external_wallet_id: str) -> int:
        answer = self.api.call("GET", f"/api/v2/btc/wallet/{quote(external_wallet_id, safe='')}")
        where = f"BitGo wallet {external_wallet_id}"
        value = answer["confirmedBalanceString"] if "confirmedBalanceString" in answer else (
            _field(answer, where, "confirmedBalance"))
        return _amount(where, sats_from_integer, value)

    def idempotency_key(self, headers: Mapping[str, str]) -> str | None:
        return _key(headers, BITGO_SIGNATURE_HEADER)

    def read_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookNotice:
        return read_bitgo_webhook(self._webhook_secret, headers, body)


class KomainuClient:
    def __init__(self, base_url: str, api_key: str, webhook_secret: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.api = JsonApi("Komainu", base_url, api_key, timeout=timeout)
        self._webhook_secret = webhook_secret

    def create_wallet(self, label: str) -> NewWallet:
        answer = self.api.call("POST", "/v1/custody/wallets", {"label": label})
        where = "Komainu wallet creation"
        return NewWallet(str(_field(answer, where, "id")), str(_field(answer, where, "address")))

    def confirmed_balance(self, external_wallet_id: str) -> int:
        answer = self.api.call("GET", f"/v1/custody/wallets/{quote(external_wallet_id, safe='')}")
        where = f"Komainu wallet {external_wallet_id}"
        return _amount(where, btc_to_sats, _field(answer, where, "balance", "available"))

    def idempotency_key(self, headers: Mapping[str, str]) -> str | None:
        return _key(headers, KOMAINU_SIGNATURE_HEADER)

    def read_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookNotice:
        return read_komainu_webhook(self._webhook_secret, headers, body)


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


class SimulatedClient:
    """A custodian with no state of its own: wallet ids and (regtest-looking, not spendable)
    addresses come from ``ids``; a wallet's confirmed balance is what Lana last set
    (``balance_of``). It sends no webhooks."""

    def __init__(self, ids: Callable[[], UUID], balance_of: Callable[[str], int]) -> None:
        self._ids = ids
        self._balance_of = balance_of

    def create_wallet(self, label: str) -> NewWallet:
        external_id = f"sim-{self._ids().hex}"
        digest = hashlib.sha256(external_id.encode()).digest()
        digest += hashlib.sha256(digest).digest()
        return NewWallet(external_id, "bcrt1q" + "".join(_BECH32[b % 32] for b in digest[:38]))

    def confirmed_balance(self, external_wallet_id: str) -> int:
        return self._balance_of(external_wallet_id)

    def idempotency_key(self, headers: Mapping[str, str]) -> str | None:
        return header(headers, IDEMPOTENCY_HEADER)

    def read_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookNotice:
        raise InvalidSignature("a simulated custodian sends no webhooks")


def remote_client(kind: CustodianKind, base_url: str, api_key: str, webhook_secret: str,
                  *, timeout: float = DEFAULT_TIMEOUT) -> CustodianClient:
    """The client of a custodian reached over HTTP (secrets in plaintext, in memory only)."""
    if kind is CustodianKind.BITGO:
        return BitGoClient(base_url, api_key, webhook_secret, timeout=timeout)
    if kind is CustodianKind.KOMAINU:
        return KomainuClient(base_url, api_key, webhook_secret, timeout=timeout)
    raise ValueError(f"{kind} custodians are not reached over HTTP")

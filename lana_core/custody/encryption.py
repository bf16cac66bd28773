"""Encrypting the secrets Lana keeps in its database (custodians' API keys and webhook secrets).

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``), keyed by ``LANA_ENCRYPTION_KEY``
(``AppConfig.encryption_key``): 32 random bytes, url-safe base64 (``lana custody generate-key``
makes one). To change keys, give ``NEW,OLD``: new secrets are encrypted with the first key and
every listed key decrypts, so rotating a custodian's secrets moves it to the new key.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from lana_core.errors import LanaError

KEY_VARIABLE = "LANA_ENCRYPTION_KEY"


class EncryptionNotConfigured(LanaError):
    """No usable encryption key: secrets can be neither stored nor read."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


class SecretBox:
    """Encrypts and decrypts text with the configured key(s). With no key, it can be made but
    refuses to encrypt or decrypt (so what needs no secret still works without one)."""

    def __init__(self, keys: str | None) -> None:
        self._fernet: MultiFernet | None = None
        self._problem: str | None = None
        listed = [k.strip() for k in (keys or "").split(",") if k.strip()]
        if not listed:
            self._problem = (f"no encryption key is configured ({KEY_VARIABLE}): custodian secrets cannot be "
                             "stored or read (`lana custody generate-key` makes a key)")
            return
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in listed])
        except (ValueError, TypeError):
            self._problem = (f"{KEY_VARIABLE} is not a valid key (32 url-safe base64-encoded bytes; "
                             "`lana custody generate-key` makes one)")

    def _box(self) -> MultiFernet:
        if self._fernet is None:
            raise EncryptionNotConfigured(self._problem)
        return self._fernet

    def encrypt(self, plaintext: str) -> str:
        return self._box().encrypt(plaintext.encode()).decode()

    def reencrypt(self, token: str, what: str = "a secret") -> str:
        """The same secret, encrypted with the first (newest) key."""
        try:
            return self._box().rotate(token.encode()).decode()
        except InvalidToken:
            raise self._undecryptable(what) from None

    def decrypt(self, token: str, what: str = "a secret") -> str:
        try:
            return self._box().decrypt(token.encode()).decode()
        except InvalidToken:
            raise self._undecryptable(what) from None

    @staticmethod
    def _undecryptable(what: str) -> EncryptionNotConfigured:
        return EncryptionNotConfigured(
            f"{what} cannot be decrypted with the configured {KEY_VARIABLE} (was the key changed? "
            "give NEW,OLD while moving to a new key)"
        )

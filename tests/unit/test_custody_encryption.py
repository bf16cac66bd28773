"""Custodian secrets are encrypted with the configured key (Fernet), and only with it."""

from __future__ import annotations

from cryptography.fernet import Fernet

from lana_core.custody.encryption import EncryptionNotConfigured, SecretBox, generate_key
from tests.unit.aggregate_checks import raises_exactly

SECRET = "xprv-very-secret-api-key"


def test_a_secret_round_trips_and_its_ciphertext_does_not_contain_it():
    box = SecretBox(generate_key())
    token = box.encrypt(SECRET)
    assert SECRET not in token and token != box.encrypt(SECRET)  # a fresh IV each time
    assert box.decrypt(token) == SECRET


def test_without_a_key_secrets_can_be_neither_stored_nor_read():
    token = SecretBox(generate_key()).encrypt(SECRET)
    for keys in (None, "", " , "):
        box = SecretBox(keys)
        with raises_exactly(EncryptionNotConfigured, "no encryption key is configured (LANA_ENCRYPTION_KEY)"):
            box.encrypt(SECRET)
        with raises_exactly(EncryptionNotConfigured, "no encryption key is configured"):
            box.decrypt(token)


def test_a_malformed_key_is_refused_clearly():
    with raises_exactly(EncryptionNotConfigured, "LANA_ENCRYPTION_KEY is not a valid key"):
        SecretBox("not-a-fernet-key").encrypt(SECRET)


def test_another_key_cannot_read_a_secret_and_says_so_without_quoting_it():
    token = SecretBox(generate_key()).encrypt(SECRET)
    with raises_exactly(EncryptionNotConfigured, "custodian X's API key cannot be decrypted") as caught:
        SecretBox(generate_key()).decrypt(token, "custodian X's API key")
    assert SECRET not in str(caught.value)


def test_moving_to_a_new_key_keeps_old_secrets_readable_and_reencrypts_them_with_the_new_one():
    old, new = generate_key(), generate_key()
    token = SecretBox(old).encrypt(SECRET)
    both = SecretBox(f"{new},{old}")
    assert both.decrypt(token) == SECRET
    moved = both.reencrypt(token)
    assert SecretBox(new).decrypt(moved) == SECRET
    assert Fernet(new.encode()).decrypt(both.encrypt("x").encode()) == b"x"  # the first key encrypts

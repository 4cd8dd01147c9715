"""Encryption of protected activist fields at rest: Fernet tokens under the configured keys.

The keys live outside the database (OUTREACH_ENCRYPTION_KEYS, newest first). Decryption tries
each key; encryption always uses the newest, so prepending a key and running `outreach
rotate-keys` moves every stored token onto it. Nothing here decrypts on its own: the services
call `decrypt` only where a read is allowed and audited.
"""
from __future__ import annotations

from functools import lru_cache
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


@lru_cache(maxsize=8)
def _ring(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("No encryption keys are configured (OUTREACH_ENCRYPTION_KEYS).")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def key_ring(keys: Iterable[str] | None = None) -> MultiFernet:
    """The MultiFernet of *keys*, or of the app's configured keys."""
    chosen = tuple(keys) if keys is not None else tuple(current_app.config["ENCRYPTION_KEYS"])
    return _ring(chosen)


def encrypt(value: str | None) -> str | None:
    """A token for *value* under the newest key; empty values are stored as NULL."""
    if value is None or value == "":
        return None
    return key_ring().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return key_ring().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise RuntimeError("A protected field cannot be decrypted with the configured keys.") from exc


def rotate(token: str | None) -> str | None:
    """The same plaintext re-encrypted under the newest key."""
    if not token:
        return token
    return key_ring().rotate(token.encode("ascii")).decode("ascii")

"""Tokens at rest: a column type that encrypts with Fernet on the way in and decrypts on the
way out, so every read and write of the installation tables (ours or slack_sdk's) is sealed.

The key comes from the environment (P2P_TOKEN_KEY, see bot/config.py) and is set once at
start-up with `use_key`. Without a key, storing a token fails loudly rather than writing it
in the clear.
"""

from __future__ import annotations

import threading
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

_lock = threading.Lock()
_fernet: MultiFernet | None = None


class NoTokenKey(RuntimeError):
    """A token was to be stored or read, and no P2P_TOKEN_KEY was set."""


class UnreadableToken(RuntimeError):
    """A stored token was sealed with a key we no longer have."""


def use_key(*keys: str) -> None:
    """The first key seals; every key opens (so a key can be rotated by prepending one)."""
    global _fernet
    with _lock:
        _fernet = MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None


def new_key() -> str:
    return Fernet.generate_key().decode()


def _current() -> MultiFernet:
    if _fernet is None:
        raise NoTokenKey("P2P_TOKEN_KEY is not set: tokens are never stored unencrypted")
    return _fernet


class SealedText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return _current().encrypt(value.encode()).decode()

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return _current().decrypt(str(value).encode()).decode()
        except InvalidToken:
            raise UnreadableToken("a stored token does not open with P2P_TOKEN_KEY") from None

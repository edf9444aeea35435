"""Unguessable game ids and player tokens; only a token's hash is ever stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ID_BYTES = 16
TOKEN_BYTES = 32


def new_game_id() -> str:
    """A random, URL-safe game id (128 bits)."""
    return secrets.token_urlsafe(ID_BYTES)


def new_token() -> str:
    """A random, URL-safe secret player token (256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 of a token, hex. Tokens are random, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Whether ``token`` hashes to ``stored_hash``, compared in constant time."""
    return hmac.compare_digest(hash_token(token), stored_hash)

"""Unguessable game ids and tokens, and what a token grants; only a token's hash is stored.

A token grants a *role* on a game (a row of the store's ``grants`` table: token hash, game,
role). A game is created with two: its player's ``seat`` token (reads and makes the side's
choices) and its ``watch`` token (reads only: view, record, debrief, replay), which is
derived from the seat token so that whoever holds the seat can always show the watch link
while the server keeps nothing but hashes. One token may grant roles on many games (a
teacher's, for a class); a game may be reachable through many tokens.

In a game with several human seats (a class's), each seat's token grants the role
``seat:ACTOR`` (:func:`seat_role`): it plays that seat only. A class's seat tokens are
derived one way from its teacher token (:func:`class_seat_token`), so the teacher's page
can show every invite link while the server keeps only hashes. A teacher who replaces a
seat's link revokes its token: the seat's next token is derived with the next issue number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

ID_BYTES = 16
TOKEN_BYTES = 32

SEAT = "seat"
"""Plays the game's human side: reads everything and makes the choices."""
WATCH = "watch"
"""Reads the game (view, record, debrief, replay) and makes no choice."""
ROLES = (SEAT, WATCH)
"""Every role, strongest first."""
ACTING = frozenset({SEAT})
"""The roles that may make a choice."""

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,128}")
"""What a token may look like; anything else is not looked up."""


def new_game_id() -> str:
    """A random, URL-safe game id (128 bits)."""
    return secrets.token_urlsafe(ID_BYTES)


def new_token() -> str:
    """A random, URL-safe secret token (256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def watch_token_of(seat_token: str) -> str:
    """The game's watch token, derived one way from its seat token (HMAC-SHA-256): the watch
    token reveals nothing of the seat token."""
    digest = hmac.new(seat_token.encode("utf-8"), b"brinkmanship watch", hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def seat_role(seat: str) -> str:
    """The role that plays ``seat`` of a game with several human seats."""
    return f"{SEAT}:{seat}"


def base_role(role: str) -> str:
    """A role without its seat: ``seat:ACTOR`` is a ``seat`` role."""
    return role.split(":", 1)[0]


def seat_of(role: str) -> str | None:
    """The seat a role plays (empty: the game's one human side), or None for a role that
    does not play."""
    if role == SEAT:
        return ""
    kind, _, seat = role.partition(":")
    return seat if kind == SEAT and seat else None


def class_seat_token(teacher_token: str, game_id: str, seat: str, issue: int = 0) -> str:
    """A class seat's token, derived one way from the class's teacher token (HMAC-SHA-256);
    ``issue`` counts the seat's earlier tokens, revoked when the teacher replaced them."""
    suffix = f" {issue}" if issue else ""
    message = f"brinkmanship seat {game_id} {seat}{suffix}".encode()
    digest = hmac.new(teacher_token.encode("utf-8"), message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    """The SHA-256 of a token, hex. Tokens are random, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Whether ``token`` hashes to ``stored_hash``, compared in constant time."""
    return hmac.compare_digest(hash_token(token), stored_hash)


def strongest(roles: list[str]) -> str | None:
    """The strongest of ``roles`` (in the order of :data:`ROLES`; an unknown role ranks
    last), or None if there is none."""
    if not roles:
        return None
    return min(
        roles, key=lambda r: ROLES.index(base_role(r)) if base_role(r) in ROLES else len(ROLES)
    )

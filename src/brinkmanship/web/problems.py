"""Errors of the web game and the HTTP status each one answers with. Every answer is a
clear one-line ``detail``; no stack trace ever reaches a client."""

from __future__ import annotations

from brinkmanship.errors import BrinkError
from brinkmanship.play.game import StaleChoiceError
from brinkmanship.web.store import MoveConflictError


class UnknownGameError(BrinkError):
    """No saved game has this id."""

    def __init__(self, game_id: str) -> None:
        super().__init__("no game with this id (check the link)")
        self.game_id = game_id


class MissingTokenError(BrinkError):
    """Reading or playing a game needs one of its tokens, and none was sent."""

    def __init__(self) -> None:
        super().__init__(
            "a game is open only to those holding one of its tokens (its player's or a watch "
            "token): send it as 'Authorization: Bearer TOKEN', or open the game's link"
        )


class WrongTokenError(BrinkError):
    """No token sent grants a role in this game (or there is no game with this id)."""

    def __init__(self) -> None:
        super().__init__("no token sent opens a game with this id (check the link)")


class RevokedTokenError(BrinkError):
    """The token sent once opened this game, and the teacher has replaced it."""

    def __init__(self) -> None:
        super().__init__(
            "this link was replaced by the class's teacher and no longer opens the game: "
            "ask the teacher for the new one"
        )


class ReadOnlyTokenError(BrinkError):
    """A token that may only read the game was sent to make a choice."""

    def __init__(self) -> None:
        super().__init__("this token only watches the game: the choices need its player token")


class GameOverError(BrinkError):
    """A choice was sent to a game that has ended."""

    def __init__(self) -> None:
        super().__init__("the game is over: no more choices can be made")


class NotOverError(BrinkError):
    """The debrief was asked for before the game ended."""

    def __init__(self) -> None:
        super().__init__("the game is not over yet: the debrief comes at the end")


class NoLongerReplaysError(BrinkError):
    """A saved game cannot be rebuilt with this version of the simulator."""


def status_of(error: BrinkError) -> int:
    """The HTTP status for an error of the game or of its input."""
    if isinstance(error, UnknownGameError):
        return 404
    if isinstance(error, MissingTokenError):
        return 401
    if isinstance(error, WrongTokenError | ReadOnlyTokenError | RevokedTokenError):
        return 403
    if isinstance(
        error,
        StaleChoiceError | GameOverError | NotOverError | MoveConflictError | NoLongerReplaysError,
    ):
        return 409
    return 422  # bad input: an illegal choice, an unknown name, a bad value

"""Errors that reach the user as one clear message (never a traceback)."""

from __future__ import annotations

from dataclasses import dataclass


class BrinkError(Exception):
    """Base of every error meant for the user; the CLI prints it and exits with code 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class ScenarioError(BrinkError):
    """A scenario file is malformed; the message names file:line:column and what to fix."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.location = location
        self.detail = message
        super().__init__(f"{location}: {message}" if location else message)


class ExpressionError(BrinkError):
    """An expression is unsafe, ill-typed or malformed; `offset` is the 0-based column in it."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


class EvaluationError(BrinkError):
    """An expression failed while being evaluated (for example a division by zero)."""


class UnknownNameError(BrinkError):
    """A name given on the command line does not exist; the message lists the valid ones."""

    def __init__(
        self, what: str, name: str, valid: list[str] | tuple[str, ...], context: str = ""
    ) -> None:
        choices = ", ".join(sorted(valid)) if valid else "(none)"
        plural = what[:-1] + "ies" if what.endswith("y") else what + "s"
        super().__init__(f"unknown {what} {name!r}{context}; valid {plural}: {choices}")
        self.name = name
        self.valid = tuple(valid)


class IllegalChoiceError(BrinkError):
    """A policy returned a choice outside the legal actions: a bug in the policy."""

    exit_code = 3


class StaleChoiceError(BrinkError):
    """A player's choice was made for a decision point that has already passed."""

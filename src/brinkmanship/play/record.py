"""A saved game is its inputs: scenario, interventions, side (or seats), opponents, seed
and moves.

The record is event-sourced: the game's state is rebuilt by replaying it, so a record is
all a save file or a database row needs to hold, but for one thing the replay cannot tell:
that the last moves were several orders (or a wait for news) given at one decision, whose
report the next screen shows. A save file keeps that beside the record (``orders``), as a
web server does beside a game's moves.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from brinkmanship.errors import BrinkError
from brinkmanship.play.view import PlanView


class SaveFileError(BrinkError):
    """A save file cannot be read, is malformed, or no longer replays."""


class PlayerMove(BaseModel):
    """One choice of a human seat: the tick it was made at, the action (or ``wait``), the
    seat (empty in a game with one human side: that side) and who made it: the player, or
    the seat's fallback policy when the player's time ran out."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tick: int = Field(ge=0)
    action: str = Field(min_length=1, max_length=200)
    seat: str = Field(default="", max_length=64)
    by: Literal["player", "fallback"] = "player"


class GameRecord(BaseModel):
    """Everything that reproduces a game exactly."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(min_length=1)
    interventions: list[str] = Field(default_factory=list)
    side: str = Field(min_length=1)
    seats: list[str] = Field(default_factory=list)
    """Every human seat when people play several sides (``side`` first); empty: ``side``
    alone."""
    opponents: dict[str, str]
    seed: int = Field(ge=0, lt=2**63)
    moves: list[PlayerMove] = Field(default_factory=list)
    version: str = ""


class SavedOrders(BaseModel):
    """The several orders (or the wait for news) given at a game's last decision: after
    how many of the record's moves, and what became of them (None: a wait for news)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: int = Field(alias="from", ge=0)
    plan: PlanView | None = None

    def saved(self) -> dict[str, object]:
        """As a save file or a database row holds it."""
        return self.model_dump(mode="json", by_alias=True)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return f"{where}: {err['msg']}"


def load_record(path: Path) -> tuple[GameRecord, SavedOrders | None]:
    """Read a save file: the record and the orders given at its last decision, if any;
    any problem is one :class:`SaveFileError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SaveFileError(f"{path}: no such save file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SaveFileError(f"{path}: cannot read the save file ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SaveFileError(
            f"{path}:{exc.lineno}:{exc.colno}: not a save file (malformed JSON: {exc.msg})"
        ) from None
    orders = data.pop("orders", None) if isinstance(data, dict) else None
    try:
        record = GameRecord.model_validate(data)
        return record, None if orders is None else SavedOrders.model_validate(orders)
    except ValidationError as exc:
        raise SaveFileError(f"{path}: not a valid save file ({_first_error(exc)})") from None


def save_record(path: Path, record: GameRecord, orders: SavedOrders | None = None) -> None:
    """Write a save file atomically (with the orders given at the last decision, if any):
    a crash mid-write leaves the previous save intact."""
    data = record.model_dump(mode="json")
    if orders is not None:
        data["orders"] = orders.saved()
    text = json.dumps(data, indent=2) + "\n"
    directory = path.parent if str(path.parent) else Path()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise SaveFileError(f"{path}: cannot write the save file ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SaveFileError(f"{path}: cannot write the save file ({exc.strerror})") from None

"""The JSON API's request and response bodies. Every request field is bounded and
validated; an unknown field is refused."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from brinkmanship.play.game import MAX_ORDERS
from brinkmanship.play.view import GameView

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
"""An id from a scenario: a scenario, an actor, an action, an intervention."""

PolicyName = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_-]*$")]
"""A policy by name only: parameters (which can make a policy arbitrarily slow) are not
accepted over the web."""

MAX_SEED = 2**53 - 1
"""The largest integer a browser's JSON numbers hold exactly."""


class NewGame(BaseModel):
    """Start a game: which scenario, which side the player takes, who plays the others."""

    model_config = ConfigDict(extra="forbid")

    scenario: Name = Field(description="A built-in scenario id, as `brink scenarios` lists them.")
    side: Name = Field(description="The actor the player plays, e.g. us, su or cuba.")
    opponent: PolicyName | None = Field(
        default=None,
        description="One policy for every other principal actor, one of those offered "
        "(`GET /api/opponents`: never `rational`, too costly for a shared server; `llm` only "
        "where the server has a model configured); default: the scenario's own (the "
        "historical record, where it has one).",
    )
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="The random seed.")
    interventions: list[Name] = Field(
        default_factory=list, max_length=16, description="Named counterfactuals to apply."
    )


class Move(BaseModel):
    """The player's choice at the current decision."""

    model_config = ConfigDict(extra="forbid")

    action: Name = Field(description="The id of a legal choice (or 'wait').")
    at_tick: int | None = Field(
        default=None,
        ge=0,
        description="The tick of the decision this choice answers; if the game has moved "
        "on, the choice is refused as stale (409) instead of applied to the wrong moment.",
    )
    then: list[Name] = Field(
        default_factory=list,
        max_length=MAX_ORDERS - 1,
        description="Further orders after `action`, each a choice offered now: carried out "
        "one per decision point in turn while nothing new happens (in a class's game, at "
        "the seat's next decisions, the other seats deciding as ever); 'wait.news' (wait "
        "until something happens) may come last. The view's `plan` says what became of them.",
    )


class NewClass(BaseModel):
    """Set up a class: games of one scenario, each deciding actor taken by a student or
    played by a policy, and the seconds each student has per decision."""

    model_config = ConfigDict(extra="forbid")

    scenario: Name = Field(description="A built-in scenario id, as `brink scenarios` lists them.")
    games: int = Field(description="How many games the class plays at once (1 to 200).")
    seats: dict[Name, PolicyName] = Field(
        max_length=64,
        description="For each deciding actor to set: `student`, or the policy that plays it. "
        "Actors left out follow their scenario default.",
    )
    timer: int = Field(
        default=0,
        description="Seconds each student has per decision (0: no limit); after it the "
        "seat's scenario-default policy decides, and the record says so.",
    )
    seed: int = Field(
        default=0,
        ge=0,
        le=MAX_SEED,
        description="The first game's seed; game n plays seed + n - 1.",
    )
    interventions: list[Name] = Field(
        default_factory=list, max_length=16, description="Named counterfactuals to apply."
    )
    title: str = Field(default="", max_length=120, description="A name for the class.")


class ClassGameLinks(BaseModel):
    """A game of a new class and its seats' invite links."""

    id: str
    seats: dict[str, str]


class ClassCreated(BaseModel):
    """A new class: its id, the teacher's secret token (shown once) and the links."""

    id: str
    teacher_token: str
    teacher_link: str
    dashboard_url: str
    games: list[ClassGameLinks]


class Created(BaseModel):
    """A new game: its id and its secret tokens (shown once)."""

    id: str
    token: str = Field(description="The player's seat token: reads the game, makes choices.")
    watch_token: str = Field(description="A read-only token to share: view, record, debrief.")
    play_url: str = Field(description="The game's page (opens for a browser holding a token).")
    play_link: str = Field(description="The game's page with the seat token, to open once.")
    watch_link: str = Field(description="The game's page with the watch token, to share.")
    replay_url: str
    view: GameView


class GameListEntry(BaseModel):
    """A saved game in the game list."""

    id: str
    role: str = Field(description="What the token held does here: `seat` (plays) or `watch`.")
    scenario: str
    title: str
    side: str
    status: str
    outcome: str
    clock: str
    created: str
    updated: str
    url: str
    replay_url: str


class Opponent(BaseModel):
    """An opponent a new game may have."""

    name: str
    description: str


class Problem(BaseModel):
    """An error: one clear sentence."""

    detail: str

"""The scenarios a server may play: built-in ones only (a web client must never make the
server read its files), compiled once per set of interventions by the game core's cache.

Games are the game core's own: :meth:`Game.new` and :meth:`Game.from_record` (the one
replay), on the same cached compiled scenarios as the terminal game.

The opponents a web game may have are one list, :func:`web_opponents`: the new-game form
offers exactly these and the API refuses any other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from brinkmanship.errors import BrinkError
from brinkmanship.play.game import Game, GameRecord
from brinkmanship.play.scenarios import catalog, game_scenario
from brinkmanship.policies.llm_config import LLMConfigError, config_from
from brinkmanship.policies.registry import BUILTINS, BuiltinPolicy
from brinkmanship.scenario.compiled import CompiledScenario

NOT_ON_THE_WEB = {
    "rational": "it simulates the crisis ahead at every decision, some 20 s of the server's "
    "CPU per game",
}
"""Built-in policies never offered over the web, and why: a server shared by a class must
not spend a core for seconds on one request."""


def llm_configured(environ: Mapping[str, str]) -> bool:
    """Whether the server's environment names a language model and its endpoint."""
    try:
        config_from({}, environ)
    except LLMConfigError:
        return False
    return True


def web_offers(policy: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether a policy may play over the web (a game's opponent, a class's seat): any
    but those in :data:`NOT_ON_THE_WEB`, and ``llm`` only where the server is configured
    for it (``BRINK_LLM_MODEL`` and ``BRINK_LLM_BASE_URL``, docs/llm.md)."""
    env = os.environ if environ is None else environ
    return policy not in NOT_ON_THE_WEB and (policy != "llm" or llm_configured(env))


def web_opponents(environ: Mapping[str, str] | None = None) -> tuple[BuiltinPolicy, ...]:
    """The opponents a web game may choose: the built-in policies the web offers."""
    return tuple(b for b in BUILTINS.values() if web_offers(b.name, environ))


class Scenarios:
    """The built-in scenarios, by name, and the opponents offered."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.names = catalog()
        """The built-in scenarios in the catalog's order (the flagship first)."""
        self.opponents = web_opponents(environ)

    def check_opponent(self, opponent: str | None) -> None:
        """BrinkError unless ``opponent`` is None (the scenario's own) or one offered."""
        offered = [b.name for b in self.opponents]
        if opponent is None or opponent in offered:
            return
        why = NOT_ON_THE_WEB.get(opponent)
        if opponent == "llm":
            why = "this server has no language model configured (docs/llm.md)"
        reason = f" ({why})" if why else ""
        raise BrinkError(
            f"opponent {opponent!r} is not offered here{reason}; the opponents offered: "
            f"{', '.join(offered)}, or none for the scenario's own"
        )

    def get(self, scenario: str, interventions: Sequence[str] = ()) -> CompiledScenario:
        """The compiled scenario; BrinkError for an unknown one or a bad intervention."""
        if scenario not in self.names:
            raise BrinkError(
                f"unknown scenario {scenario!r}; valid scenarios: {', '.join(self.names)}"
            )
        return game_scenario(scenario, interventions)

    def new_game(
        self,
        scenario: str,
        side: str,
        *,
        opponent: str | None,
        seed: int,
        interventions: Sequence[str] = (),
    ) -> Game:
        """A new game of a built-in scenario, at the player's first decision."""
        self.get(scenario, interventions)
        self.check_opponent(opponent)
        return Game.new(scenario, side, opponent=opponent, seed=seed, interventions=interventions)

    def replay(self, record: GameRecord, moves: int | None = None) -> Game:
        """The saved game rebuilt by the game core's replay (with ``moves``, after only its
        first ``moves`` moves); ReplayError if it no longer replays."""
        return Game.from_record(record, moves=moves)

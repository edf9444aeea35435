"""`brink play`: play a side of a scenario in the terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from brinkmanship.cli.llm import LLMApiKeyFileOpt, LLMApiKeyOpt, LLMBaseUrlOpt, use_llm_endpoint
from brinkmanship.errors import BrinkError

__all__ = ["play"]


def play(
    ctx: typer.Context,
    scenario: Annotated[
        str | None,
        typer.Argument(help="A built-in scenario id (see `brink scenarios`) or a YAML file."),
    ] = None,
    side: Annotated[
        str | None, typer.Option("--as", help="The actor you play, e.g. us, su or cuba.")
    ] = None,
    opponent: Annotated[
        str | None,
        typer.Option(
            help="Policy for every other leading actor (default: the scenario's, i.e. historical)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    intervention: Annotated[
        list[str] | None,
        typer.Option("--intervention", "-i", help="Apply a named intervention (repeatable)."),
    ] = None,
    save: Annotated[
        Path | None, typer.Option(help="Save the game to this JSON file after every move.")
    ] = None,
    resume: Annotated[
        Path | None, typer.Option(help="Continue a game saved with --save (saving back to it).")
    ] = None,
    debrief: Annotated[
        Path | None,
        typer.Option(help="When the game ends, also write the debrief to this file (Markdown)."),
    ] = None,
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Play a side of a scenario, day by day, then read the debrief against history."""
    from brinkmanship.cli.console import plain_console
    from brinkmanship.play.game import Game
    from brinkmanship.play.record import load_record
    from brinkmanship.play.terminal import TerminalGame

    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    if resume is not None:
        given = [
            name
            for name, value in (
                ("SCENARIO", scenario),
                ("--as", side),
                ("--opponent", opponent),
                ("--intervention", intervention),
            )
            if value
        ]
        if given or seed != 0:
            what = ", ".join(given + (["--seed"] if seed != 0 else []))
            raise BrinkError(f"--resume continues a saved game as it was; drop {what}")
        record, orders = load_record(resume)
        game = Game.from_record(record)
        if orders is not None:  # the screen after several orders shows their report again
            game.restore_orders(orders)
        target: Path | None = save or resume
    else:
        if scenario is None:
            raise BrinkError(
                "give a SCENARIO to play (`brink scenarios` lists them), or --resume FILE"
            )
        if side is None:
            raise BrinkError(
                f"choose your side with --as ACTOR (e.g. brink play {scenario} --as us)"
            )
        game = Game.new(
            scenario, side, opponent=opponent, seed=seed, interventions=intervention or []
        )
        target = save
    console = plain_console(110)
    TerminalGame(
        console, sys.stdin.readline, target, echo=not sys.stdin.isatty(), debrief=debrief
    ).run(game)

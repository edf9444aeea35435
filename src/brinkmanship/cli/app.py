"""The ``brink`` Typer application, and the arguments, options and checks its commands
share. The package's ``__init__`` registers the commands on :data:`app`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from brinkmanship.analysis.checks import check_counts, check_seed

__all__ = [
    "EngineOpt",
    "InterventionOpt",
    "PolicyOpt",
    "ScenarioArg",
    "app",
    "check_counts",
    "check_seed",
    "out",
]

app = typer.Typer(
    name="brink",
    help="Simulate nuclear crisis bargaining, grounded in the historical record.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

ScenarioArg = Annotated[
    str, typer.Argument(help="A built-in scenario id (see `brink scenarios`) or a YAML file.")
]
InterventionOpt = Annotated[
    list[str] | None,
    typer.Option("--intervention", "-i", help="Apply a named intervention (repeatable)."),
]
PolicyOpt = Annotated[
    list[str] | None,
    typer.Option("--policy", "-p", help="ACTOR=POLICY[:key=value,...] (repeatable)."),
]
EngineOpt = Annotated[
    str,
    typer.Option(
        help="reference, batch (compiled, many runs at once) or auto: batch when every "
        "policy allows it. Results are identical run for run."
    ),
]


def out(line: str) -> None:
    """Print one line on stdout."""
    sys.stdout.write(line + "\n")

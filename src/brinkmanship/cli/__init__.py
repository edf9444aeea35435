"""The ``brink`` command line: one module per command group, assembled here on one Typer app.

Command modules import only light modules at the top (typer, :mod:`.app`, :mod:`.llm`) and
import what a command runs (engines, analysis, reports, rich tables) inside its body: that
is for start-up time, not to dodge a cycle. ``brink --help`` builds every command's
signature, and must not pay for numba, matplotlib, pyarrow, duckdb or Ray to do it
(docs/performance.md; tests/test_cli_startup.py checks it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from brinkmanship.cli import (
    evaluation,
    montecarlo,
    play,
    policies,
    report,
    run,
    scenarios,
    sensitivity,
    serve,
    sweep,
    version,
)
from brinkmanship.cli.app import app
from brinkmanship.errors import BrinkError

__all__ = ["app", "main"]

_COMMANDS: tuple[tuple[str, Callable[..., None]], ...] = (  # in the order of `brink --help`
    ("scenarios", scenarios.scenarios),
    ("show", scenarios.show),
    ("validate", scenarios.validate),
    ("run", run.run),
    ("mc", montecarlo.mc),
    ("compare", montecarlo.compare),
    ("sweep", sweep.sweep),
    ("query", sweep.query_results),
    ("sensitivity", sensitivity.sensitivity),
    ("policies", policies.policies),
    ("version", version.version),
    ("eval", evaluation.eval_command),
    ("play", play.play),
    ("report", report.report),
    ("serve", serve.serve),
)
for _name, _command in _COMMANDS:
    app.command(_name)(_command)


def main() -> None:
    """Entry point: user errors become one message on stderr and exit code 2."""
    try:
        app()
    except BrinkError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)

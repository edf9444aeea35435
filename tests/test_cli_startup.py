"""The fast commands of ``brink`` import only what they need (issue 16: ``brink --help`` in
well under a second): each case runs in a fresh interpreter, where ``sys.modules`` shows
what the import and the command loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest

CUBA = str(resources.files("brinkmanship.scenarios").joinpath("cuba-1962.yaml"))

HEAVY = (
    "matplotlib",
    "ray",
    "numba",
    "fastapi",
    "uvicorn",
    "duckdb",
    "pyarrow",
    "brinkmanship.engine.batch.tables",
    "brinkmanship.engine.batch.kernel",
    "brinkmanship.report.charts",
)
"""Modules no fast command needs; each costs tens to hundreds of milliseconds to import."""

SCENARIO_ONLY = ("numpy", "yaml", "brinkmanship.scenario.loader")
"""What reading and checking a scenario needs: never loaded to print help or the version.
(pydantic is not listed: it is part of the scenario layer, but Typer itself imports it to
coerce a command's parameters, though not to print help.)"""

PROBE = """
import json, sys
from brinkmanship.cli import main
sys.argv = ["brink", *json.loads(sys.argv[1])]
try:
    if sys.argv[1:]:
        main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
sys.stderr.write(json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""


def loaded_by(args: list[str]) -> tuple[object, set[str]]:
    """Exit code of ``brink ARGS`` in a fresh interpreter (no command: the import alone),
    and the modules loaded when it ended."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def present(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if n in modules]


@pytest.mark.parametrize("args", [[], ["--help"], ["version"]], ids=["import", "help", "version"])
def test_help_and_version_import_nothing_heavy(args: list[str]) -> None:
    code, modules = loaded_by(args)
    assert code in (0, None)
    assert present(modules, HEAVY + SCENARIO_ONLY) == []
    if args != ["version"]:
        assert "pydantic" not in modules


def test_validate_imports_the_scenario_layer_only() -> None:
    code, modules = loaded_by(["validate", CUBA])
    assert code in (0, None)
    assert "brinkmanship.scenario.loader" in modules  # the probe did run the command
    assert present(modules, HEAVY) == []

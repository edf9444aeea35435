"""Dependencies point down: the engine imports nothing above it (policies, analysis, the
interfaces), at module level or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import brinkmanship

PACKAGE = Path(brinkmanship.__file__).parent
ENGINE_MAY_IMPORT = ("brinkmanship.engine", "brinkmanship.scenario", "brinkmanship.errors")
"""What the engine builds on; ``brinkmanship`` itself only for ``__version__``."""


def imported(source: str, module: str) -> set[str]:
    """Every ``brinkmanship`` module that ``source`` (the text of ``module``) imports,
    wherever the import stands; a ``from X import name`` counts as importing ``X.name``."""
    package = module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in out if name.split(".")[0] == "brinkmanship"}


def violations(names: set[str]) -> list[str]:
    """The imports of an engine module that reach above the engine."""
    return sorted(
        name
        for name in names
        if name != "brinkmanship.__version__"
        and not any(name == ok or name.startswith(ok + ".") for ok in ENGINE_MAY_IMPORT)
    )


def engine_modules() -> list[tuple[str, Path]]:
    return [
        (".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts), path)
        for path in sorted((PACKAGE / "engine").rglob("*.py"))
    ]


def test_the_checker_sees_imports_above_the_engine_wherever_they_stand() -> None:
    source = (
        "from brinkmanship.engine import rng\n"
        "from ...policies.registry import BUILTINS\n"
        "from ..policy import Policy\n"
        "def f():\n"
        "    import brinkmanship.analysis.montecarlo\n"
        "    from brinkmanship import __version__\n"
    )
    names = imported(source, "brinkmanship.engine.batch.tables")
    assert "brinkmanship.engine.policy.Policy" in names
    assert violations(names) == [
        "brinkmanship.analysis.montecarlo",
        "brinkmanship.policies.registry.BUILTINS",
    ]


@pytest.mark.parametrize(("module", "path"), engine_modules(), ids=lambda x: str(x))
def test_the_engine_imports_nothing_above_it(module: str, path: Path) -> None:
    names = imported(path.read_text(encoding="utf-8"), module)
    assert violations(names) == [], f"{module} imports from above the engine"

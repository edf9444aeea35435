"""Dependencies point down: the engine imports nothing above it (policies, analysis, the
interfaces), and no two modules import each other, directly or round a loop. Imports count
wherever they stand: at module level, inside a function, under ``TYPE_CHECKING``."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import pytest

import brinkmanship

PACKAGE = Path(brinkmanship.__file__).parent
LEAVES = ("brinkmanship.errors", "brinkmanship.version", "brinkmanship.wording")
"""Modules outside ``engine`` and ``scenario`` that the engine may import, because they
import nothing of the package (:func:`test_the_engines_leaves_are_leaves`): errors, the
version, and how texts join their parts (used by the engine's record and every screen)."""

ENGINE_MAY_IMPORT = ("brinkmanship.engine", "brinkmanship.scenario", *LEAVES)
"""What the engine builds on; ``brinkmanship`` itself only for ``__version__``."""


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imported(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every ``brinkmanship`` name that ``source`` (the text of ``module``) imports,
    wherever the import stands; ``from X import name`` counts as importing ``X.name``."""
    package = module if is_package else module.rsplit(".", 1)[0]
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
    """The imported names that reach above the engine."""
    return sorted(
        name
        for name in names
        if name != "brinkmanship.__version__"
        and not any(name == ok or name.startswith(ok + ".") for ok in ENGINE_MAY_IMPORT)
    )


def graph() -> dict[str, set[str]]:
    """Which modules each module imports (a name imported from a module counts as that
    module; importing a submodule does not count as importing its package)."""
    known = modules()
    out: dict[str, set[str]] = {}
    for module, path in known.items():
        names = imported(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
        targets = {name if name in known else name.rsplit(".", 1)[0] for name in names}
        out[module] = {t for t in targets if t in known and t != module}
    return out


def find_cycle(edges: Mapping[str, set[str]]) -> list[str] | None:
    """One loop of imports (its modules in order, the first repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            found = visit(nxt)
            if found:
                return found
        path.pop()
        done.add(node)
        return None

    for start in sorted(edges):
        found = visit(start)
        if found:
            return found
    return None


def test_the_checker_sees_imports_wherever_they_stand() -> None:
    source = (
        "from brinkmanship.engine import rng\n"
        "from ...policies.registry import BUILTINS\n"
        "from ..policy import Policy\n"
        "if TYPE_CHECKING:\n"
        "    from brinkmanship.play.game import Game\n"
        "def f():\n"
        "    import brinkmanship.analysis.montecarlo\n"
        "    from brinkmanship import __version__\n"
    )
    names = imported(source, "brinkmanship.engine.batch.tables")
    assert "brinkmanship.engine.policy.Policy" in names
    assert violations(names) == [
        "brinkmanship.analysis.montecarlo",
        "brinkmanship.play.game.Game",
        "brinkmanship.policies.registry.BUILTINS",
    ]


def test_the_checker_finds_a_loop() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize(
    ("module", "path"),
    [(m, p) for m, p in modules().items() if m.startswith("brinkmanship.engine")],
    ids=lambda x: str(x),
)
def test_the_engine_imports_nothing_above_it(module: str, path: Path) -> None:
    names = imported(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
    assert violations(names) == [], f"{module} imports from above the engine"


def test_the_engines_leaves_are_leaves() -> None:
    known = modules()
    for leaf in LEAVES:
        path = known[leaf]
        assert imported(path.read_text(encoding="utf-8"), leaf) == set(), leaf


def test_no_modules_import_each_other() -> None:
    edges = graph()
    assert "brinkmanship.policies.defaults" in edges["brinkmanship.policies.allison"]
    cycle = find_cycle(edges)
    assert cycle is None, " → ".join(cycle or ())

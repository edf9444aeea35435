"""Every interface is scenario-neutral: no module outside ``src/brinkmanship/scenarios/``
names a built-in scenario or one of its variables or parameters. What a screen shows comes
from the scenario's ``presentation``; a default scenario from ``brinkmanship.scenarios``.

Names are found in every source file (Python, templates, scripts, style sheets):

- a scenario id, anywhere (code, comments, docstrings);
- a variable or parameter name with an underscore or a digit (``defcon_us``), anywhere;
- a one-word name (``quarantine``), as a whole string literal (``"quarantine"``) or a CSS
  class selector, since as a word of prose it names nothing ("a nuclear crisis").

Words of the scenario language itself (its schema's keys and values, the trajectory's
event kinds) are not a scenario's: a scenario may call a variable ``pledge`` and the engine
still logs a "pledge"."""

from __future__ import annotations

import enum
import re
import typing
from collections.abc import Iterator
from pathlib import Path

import pydantic
import pytest

from brinkmanship.engine.batch.tables import KINDS
from brinkmanship.scenario import schema
from brinkmanship.scenario.loader import builtin_names, load_scenario

SRC = Path(__file__).resolve().parents[1] / "src" / "brinkmanship"
HOME = SRC / "scenarios"
SUFFIXES = (".py", ".html", ".j2", ".js", ".css")


def _literal_words(annotation: object) -> Iterator[str]:
    if typing.get_origin(annotation) is typing.Literal:
        yield from (a for a in typing.get_args(annotation) if isinstance(a, str))
    for arg in typing.get_args(annotation):
        yield from _literal_words(arg)


def vocabulary() -> frozenset[str]:
    """The scenario language's own words: schema keys, enum and literal values, and the
    kinds of trajectory events."""
    words: set[str] = set(KINDS)
    for item in vars(schema).values():
        if isinstance(item, type) and issubclass(item, pydantic.BaseModel):
            for name, f in item.model_fields.items():
                words.update({name, f.alias or name})
                words.update(_literal_words(f.annotation))
        elif isinstance(item, type) and issubclass(item, enum.Enum):
            words.update(str(m.value) for m in item)
        else:
            words.update(_literal_words(item))
    return frozenset(words)


def scenario_names() -> dict[str, str]:
    """Every name to look for, with the scenario it belongs to."""
    out: dict[str, str] = {}
    for name in builtin_names():
        sc = load_scenario(name)
        out[name] = f"the scenario id {name!r}"
        for var in [*sc.variables, *sc.parameters]:
            out.setdefault(var, f"a name in {name!r}")
    return out


def source_files() -> list[Path]:
    return sorted(
        p for p in SRC.rglob("*") if p.suffix in SUFFIXES and p.is_file() and HOME not in p.parents
    )


def _token(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(word)}(?![A-Za-z0-9_-])")


def _quoted(word: str) -> re.Pattern[str]:
    return re.compile(rf"([\"']){re.escape(word)}\1|(?<![\w-])\.{re.escape(word)}(?![\w-])")


def hits(text: str, names: dict[str, str], allowed: frozenset[str]) -> Iterator[tuple[int, str]]:
    """(line, what) for each name found in ``text``."""
    patterns = []
    for word, what in names.items():
        distinctive = what.startswith("the scenario id") or re.search(r"[_\d-]", word)
        if not distinctive and word in allowed:
            continue
        patterns.append((_token(word) if distinctive else _quoted(word), word, what))
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, word, what in patterns:
            if pattern.search(line):
                yield number, f"{word!r} ({what})"


def test_no_interface_names_a_scenario_or_its_variables() -> None:
    names = scenario_names()
    allowed = vocabulary()
    found = [
        f"{path.relative_to(SRC.parent)}:{line}: {what}"
        for path in source_files()
        for line, what in hits(path.read_text(encoding="utf-8"), names, allowed)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('if view.scenario != "cuba-1962":', True),
        ("n = state['mrbm_est']", True),
        ("# the defcon_us gauge", True),
        ('word = "quarantine"', True),
        (".map .quarantine { fill: none; }", True),
        ("A simulator of nuclear crisis bargaining; the quarantine of 1962.", False),
        ("s.nuclear.count", False),
        ('kind = "pledge"', False),
    ],
)
def test_the_search_finds_names_and_not_prose(text: str, found: bool) -> None:
    names = {
        "cuba-1962": "the scenario id 'cuba-1962'",
        "mrbm_est": "a name",
        "defcon_us": "a name",
        "quarantine": "a name",
        "nuclear": "a name",
        "pledge": "a name",
    }
    assert bool(list(hits(text, names, vocabulary()))) is found

"""No text repeats an error of the scenario's fact sheet: the patterns of its
``known_errors`` are searched in every text of the file (all but the bibliography, whose
titles are others' words, and the errors themselves) and in every record of its runs (the
replay and one run under each intervention); an error with ``scope: replay`` only in the
replay's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from brinkmanship.conformance.subject import Subject, run_name
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.scenario.loader import validate_model
from brinkmanship.scenario.yamlsource import Path_, SourceDoc

NOT_SEARCHED = ("bibliography", "known_errors")
SENTENCE_END = re.compile(r"(?<=[.;])\s")


@dataclass(frozen=True)
class KnownError:
    """A ``known_errors`` entry with its patterns compiled (case-insensitive)."""

    id: str
    fact: str
    patterns: tuple[re.Pattern[str], ...]
    unless: re.Pattern[str] | None
    replay_only: bool
    sources: tuple[str, ...]


def known_errors(doc: SourceDoc) -> dict[str, KnownError]:
    """The scenario's known errors (the schema has checked that each pattern compiles)."""
    return {
        ident: KnownError(
            id=ident,
            fact=e.fact,
            patterns=tuple(re.compile(p, re.IGNORECASE) for p in e.patterns),
            unless=None if e.unless is None else re.compile(e.unless, re.IGNORECASE),
            replay_only=e.scope == "replay",
            sources=e.sources,
        )
        for ident, e in validate_model(doc).known_errors.items()
    }


def _strings(data: Any, path: Path_) -> Iterator[tuple[Path_, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            if path or key not in NOT_SEARCHED:
                yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*path, i))


def file_texts(doc: SourceDoc) -> Iterator[tuple[str, str]]:
    """(where, text) for every string of the document that is searched."""
    for path, text in _strings(doc.data, ()):
        yield str(doc.locate(path)), text


def run_texts(result: RunResult, where: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every record of a run and its outcome."""
    for event in result.events:
        yield f"{where}, {event.kind} {event.id}", event.text
    yield f"{where}, outcome {result.outcome.id}", result.outcome.text


def found(error: KnownError, text: str) -> str | None:
    """What of ``text`` repeats ``error``, or None."""
    for pattern in error.patterns:
        if error.unless is None:
            if match := pattern.search(text):
                return match.group(0)
            continue
        for sentence in SENTENCE_END.split(text):
            if (match := pattern.search(sentence)) and not error.unless.search(sentence):
                return match.group(0)
    return None


def check_known_errors(subject: Subject) -> list[str]:
    errors = known_errors(subject.doc).values()
    everywhere = [e for e in errors if not e.replay_only]
    texts = [(where, text, everywhere) for where, text in file_texts(subject.doc)]
    for intervention, result in subject.runs.items():
        applies = list(errors) if not intervention else everywhere
        texts += [(w, t, applies) for w, t in run_texts(result, run_name(intervention))]
    failures = []
    for where, text, applies in texts:
        for error in applies:
            if (match := found(error, text)) is not None:
                failures.append(f"{where}: {error.id}: {match!r} ({error.fact})")
    return failures

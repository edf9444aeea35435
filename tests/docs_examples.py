r"""The outputs the docs show under their examples: run, compared and re-recorded.

In README.md, docs/*.md and examples/README.md, every ``>>>`` example in a ```python (or
```pycon) block and every ``$ brink ...`` command in a ```console block runs, in the file's
order: the Python examples in one interpreter session per file, the commands (``brink`` or
``./brink`` is this checkout's command line; a line ending in ``\`` goes on) in a shell, all
in one temporary directory per file, so that a command can read what an earlier one wrote.
What each prints (a command: stdout and stderr, 140 columns wide as when piped) is compared
with the output shown under it. Seeds make the outputs exact; a shown output may leave
things out with ``...``:

- a line that is only ``...`` stands for any number of whole lines (rows left out);
- ``...`` inside a line stands for part of that line (columns left out), never for a line
  break, so a row cut short cannot hide a row added after it;
- runs of spaces compare equal (columns need not line up), and a shown line break may stand
  for a space (a long line may be wrapped).

An exception shows as Python prints it, its stack left out: ``Traceback (most recent call
last):``, ``  ...``, then ``module.Error: message``.

A table of figures assembled from several arms of runs (prose, not a command's output) is
checked too: under a line ``<!-- figure: NAME -->`` (outside fenced blocks; Markdown shows
nothing of it) the lines up to the next blank line are what ``tests/doc_figures.py``'s
``FIGURES[NAME]()`` returns, compared as above (spacing does not count).

``tests/test_docs_examples.py`` fails when a shown output no longer matches. A change meant
to change results re-records them in place, as it re-records the goldens::

    PYTHONPATH=$PWD/src .venv/bin/python tests/docs_examples.py [FILE.md ...]

which keeps each output's layout and what it leaves out and writes the new numbers into it;
an output whose shape changed (a row or a word that is no longer there) is written out in
full, and the command names it so that it can be abridged by hand. A figure is written as
its function makes it. Prose around a figure that quotes its numbers is not checked: say
what the table shows in words, and leave the numbers to the table.
"""

from __future__ import annotations

import doctest
import io
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from doc_figures import FIGURES

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "examples/README.md")
"""The files whose examples run."""

LANGUAGES = frozenset({"python", "pycon", "py"})
"""The fenced blocks whose ``>>>`` examples run; a ``>>>`` line anywhere else is an error."""
CONSOLE = "console"
"""The fenced blocks whose ``$`` commands run."""
PROMPT = "$ "
FIGURE = re.compile(r"^<!--\s*figure:\s*(\S+)\s*-->\s*$")
"""The line above a table of figures that ``tests/doc_figures.py`` makes."""

ELIDED = "..."
TRACEBACK = "Traceback (most recent call last):\n  ...\n"
WIDTH = 96
"""Where a long line of prose output is wrapped when an output is written out in full."""

_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([^\s`]*)")
_NUMBER = re.compile(r"(?:(?<![\w.])[-+±])?(?<![\d.])\d+(?:\.\d+)?(?:e[-+]?\d+)?(?!\d)")
_CELLS = frozenset({"-", "NaN", "nan", "None", "null", "<NA>"})
"""Whole words that stand where a number may be (a table's missing values)."""
_BOX = frozenset("│┃|║")
"""The words that draw a table's columns."""
_VALUE = r"([-+±]?\d+(?:\.\d+)?(?:e[-+]?\d+)?|-|NaN|nan|None|null|<NA>)"


@dataclass(frozen=True)
class Example:
    """One ``>>>`` example and the output shown under it."""

    path: Path
    line: int
    """The 1-based line of its first ``>>>`` or ``$``."""
    source: str
    """Python, or (``command``) a shell command line."""
    want: str
    """The shown output, its indentation removed."""
    indent: int
    start: int
    """The 0-based line of the shown output's first line (where it would be when empty)."""
    end: int
    """One past the shown output's last line."""
    command: bool = False
    figure: bool = False
    """``source`` names a figure of ``tests/doc_figures.py``."""

    @property
    def where(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.line}"


def fenced_blocks(text: str) -> Iterator[tuple[str, int, list[str]]]:
    """Each fenced block of a Markdown text: its language, its first line (0-based), its lines."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence, start = m.group(1), i + 1
        i = start
        while i < len(lines) and not lines[i].lstrip().startswith(fence):
            i += 1
        yield m.group(2).lower(), start, lines[start:i]
        i += 1


def _commands(path: Path, start: int, lines: list[str]) -> Iterator[Example]:
    """The ``$`` commands of a console block (its first line is line ``start``)."""
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith(PROMPT):
            i += 1
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())
        first = i
        while lines[i].rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
        source = "\n".join(s[indent:] for s in lines[first : i + 1])[len(PROMPT) :]
        i += 1
        out = i
        while i < len(lines) and not lines[i].lstrip().startswith(PROMPT):
            i += 1
        end = i
        while end > out and not lines[end - 1].strip():
            end -= 1
        want = "".join(s[indent:] + "\n" for s in lines[out:end] if s.strip())
        yield Example(path, start + first + 1, source, want, indent, start + out, start + end, True)


def _figures(path: Path, text: str) -> Iterator[Example]:
    """The tables under ``<!-- figure: NAME -->`` lines outside fenced blocks."""
    lines = text.split("\n")
    fenced = {
        i
        for _, start, block in fenced_blocks(text)
        for i in range(start - 1, start + len(block) + 1)
    }
    for i, line in enumerate(lines):
        m = FIGURE.match(line.strip())
        if m is None or i in fenced:
            continue
        end = i + 1
        while end < len(lines) and lines[end].strip():
            end += 1
        want = "".join(s.strip() + "\n" for s in lines[i + 1 : end])
        yield Example(path, i + 1, m.group(1), want, 0, i + 1, end, figure=True)


def examples(path: Path) -> list[Example]:
    """The ``>>>`` examples, ``$`` commands and figures of a Markdown file, in order."""
    text = path.read_text()
    found: list[Example] = list(_figures(path, text))
    for language, start, lines in fenced_blocks(text):
        if language == CONSOLE:
            found += _commands(path, start, lines)
        if language not in LANGUAGES:
            continue
        block = "\n".join(lines) + "\n"
        for ex in doctest.DocTestParser().get_examples(block, str(path)):
            first = start + ex.lineno + ex.source.count("\n")
            found.append(
                Example(
                    path,
                    start + ex.lineno + 1,
                    ex.source,
                    ex.want,
                    ex.indent,
                    first,
                    first + ex.want.count("\n"),
                )
            )
    return sorted(found, key=lambda ex: ex.start)


def stray_prompts(path: Path) -> list[int]:
    """The 1-based lines that start with ``>>>`` outside a block whose examples run."""
    inside: set[int] = set()
    for language, start, lines in fenced_blocks(path.read_text()):
        if language in LANGUAGES:
            inside.update(range(start, start + len(lines)))
    lines = path.read_text().split("\n")
    return [i + 1 for i, s in enumerate(lines) if s.lstrip().startswith(">>>") and i not in inside]


@contextmanager
def _in_directory(directory: str) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def _shell(command: str, here: Path) -> str:
    """What a documented command prints, run in ``here`` with ``brink`` this checkout's."""
    shim = here / "brink"
    if not shim.exists():
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m brinkmanship "$@"\n')
        shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PATH"] = f"{here}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=here,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return done.stdout


def _figure(name: str) -> str:
    if name not in FIGURES:
        return f"no figure {name!r} in tests/doc_figures.py; known: {', '.join(FIGURES)}\n"
    return FIGURES[name]()


def run(found: Sequence[Example]) -> list[str]:
    """What each example prints, run in order in one session (as ``python`` or a terminal
    would show it)."""
    session: dict[str, object] = {"__name__": "__main__"}
    printed = []
    with tempfile.TemporaryDirectory() as here, _in_directory(here):
        for ex in found:
            if ex.figure:
                printed.append(_figure(ex.source))
                continue
            if ex.command:
                printed.append(_shell(ex.source, Path(here)))
                continue
            out = io.StringIO()
            with redirect_stdout(out):
                try:
                    code = compile(ex.source, ex.where, "single", dont_inherit=True)
                    exec(code, session)
                except Exception as e:
                    out.write(TRACEBACK + "".join(traceback.format_exception_only(type(e), e)))
            printed.append(out.getvalue())
    return printed


def _normal(got: str) -> str:
    return "\n".join(line.rstrip() for line in got.strip("\n").split("\n"))


def _line_pattern(line: str, relaxed: bool, spans: list[tuple[int, int]] | None) -> str:
    """A line of shown output as a pattern; ``relaxed``: its numbers as groups (spans noted),
    but for a number that begins the line, which names a row (a point of a sweep, an index)."""
    pieces = []
    key = True
    pos = len(line) - len(line.lstrip())
    parts = line[pos:].split(ELIDED)
    for k, part in enumerate(parts):
        if k:
            pieces.append(r"[^\n]*?")
            pos += len(ELIDED)
        start = pos
        for word in re.split(r"(\s+)", part):
            if not word:
                continue
            if word.isspace():  # none beside a "..." that may stand for nothing
                first, last = pos == start, pos + len(word) == start + len(part)
                beside = (first and k > 0) or (last and k < len(parts) - 1)
                pieces.append(r"[ \t]*" if beside else r"[ \t]+")
            elif word in _BOX or (key and _NUMBER.fullmatch(word)):
                pieces.append(re.escape(word))
            elif relaxed and word in _CELLS:
                pieces.append(_VALUE)
                if spans is not None:
                    spans.append((pos, pos + len(word)))
            elif relaxed:
                at = 0
                for m in _NUMBER.finditer(word):
                    pieces += [re.escape(word[at : m.start()]), _VALUE]
                    if spans is not None:
                        spans.append((pos + m.start(), pos + m.end()))
                    at = m.end()
                pieces.append(re.escape(word[at:]))
            else:
                pieces.append(re.escape(word))
            key = key and (word.isspace() or word in _BOX)
            pos += len(word)
    return "".join(pieces)


def pattern(
    want: str, relaxed: bool = False, spans: list[list[tuple[int, int]]] | None = None
) -> re.Pattern[str]:
    """The shown output ``want`` as a regular expression over what was printed (normalised);
    ``relaxed`` makes each number a group and appends each line's number spans to ``spans``."""
    lines = [s.rstrip() for s in want.strip("\n").split("\n")] if want.strip() else []
    out = [r"\A"]
    elided, first = False, True
    for line in lines:
        line_spans: list[tuple[int, int]] = []
        if spans is not None:
            spans.append(line_spans)
        if not line.strip():
            continue
        if line.strip() == ELIDED:
            elided = True
            continue
        if elided:
            out.append(r"(?:[^\n]*\n)*?[ \t]*" if first else r"(?:\n[^\n]*)*?\n[ \t]*")
        else:
            out.append(r"\s*" if first else r"\s+")
        out.append(_line_pattern(line, relaxed, line_spans))
        elided, first = False, False
    out.append(r"(?:\n[^\n]*)*\Z" if elided and not first else r"[\s\S]*\Z" if elided else r"\Z")
    return re.compile("".join(out))


def matches(want: str, got: str) -> bool:
    """Whether printed output ``got`` is what ``want`` shows (see the module's docstring)."""
    return pattern(want).match(_normal(got)) is not None


def _in_full(got: str) -> str:
    lines = []
    for line in _normal(got).split("\n"):
        if not line.strip():
            continue
        if len(line) > WIDTH and "  " not in line.strip() and "│" not in line:  # prose
            lines += textwrap.wrap(line, WIDTH, break_long_words=False, break_on_hyphens=False)
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def rerecorded(want: str, got: str) -> str | None:
    """``want`` with the numbers ``got`` printed in place of its own, its layout kept (a
    number's column keeps its place), or None when ``got`` differs in more than numbers."""
    spans: list[list[tuple[int, int]]] = []
    m = pattern(want, relaxed=True, spans=spans).match(_normal(got))
    if m is None:
        return None
    values = iter(m.groups())
    lines = [s.rstrip() for s in want.strip("\n").split("\n")]
    new = []
    for line, line_spans in zip(lines, spans, strict=True):
        pieces, at = [], 0
        for start, end in line_spans:
            value = next(values)
            pieces += [line[at:start], value]
            gap = len(line[end:]) - len(line[end:].lstrip(" "))
            at = end
            if gap >= 2 and end + gap < len(line):
                pieces.append(" " * max(2, gap + (end - start) - len(value)))
                at = end + gap
        new.append("".join([*pieces, line[at:]]))
    return "\n".join(new) + "\n"


def rerecord(path: Path) -> list[str]:
    """Rewrite the shown outputs of ``path`` from what its examples print now; one line of
    news per output that changed (an output written in full says so)."""
    found = examples(path)
    news = []
    lines = path.read_text().split("\n")
    for ex, got in reversed(list(zip(found, run(found), strict=True))):
        if matches(ex.want, got):
            continue
        new = _normal(got) + "\n" if ex.figure else rerecorded(ex.want, got)
        if new is None:
            new = _in_full(got)
            news.append(f"{ex.where}: written out in full (its shape changed); abridge by hand")
        else:
            news.append(
                f"{ex.where}: re-recorded" + (f" (figure {ex.source})" if ex.figure else "")
            )
        assert matches(new, got), f"{ex.where}: the re-recorded output does not match"
        shown = [" " * ex.indent + s for s in new.rstrip("\n").split("\n")] if new.strip() else []
        lines[ex.start : ex.end] = shown
    path.write_text("\n".join(lines))
    return news[::-1]


def main(argv: Sequence[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or [p for p in DOCS if examples(p)]
    for path in paths:
        news = rerecord(path)
        print(f"{path.relative_to(ROOT)}: {len(news) or 'no'} output(s) changed")
        for line in news:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

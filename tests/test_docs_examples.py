"""The outputs the docs show under their ``>>>`` examples and ``$ brink`` commands are what
the code prints now
(``tests/docs_examples.py`` says how they are compared; ``python tests/docs_examples.py``
re-records them after a change meant to change results)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from doc_figures import FIGURES
from docs_examples import DOCS, ROOT, examples, matches, rerecord, rerecorded, run, stray_prompts

DOCUMENTED = [p for p in DOCS if examples(p)]


def test_the_python_api_page_has_examples() -> None:
    assert ROOT / "docs/python.md" in DOCUMENTED
    assert len(examples(ROOT / "docs/python.md")) >= 10


@pytest.mark.parametrize("path", DOCUMENTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shown_outputs_are_what_the_examples_print(path: Path) -> None:
    found = examples(path)
    wrong = [
        f"{ex.where}: {ex.source.strip()}\n--- shown:\n{ex.want}--- printed now:\n{got}"
        for ex, got in zip(found, run(found), strict=True)
        if not matches(ex.want, got)
    ]
    assert not wrong, (
        "\n".join(wrong) + "\nA change meant to change these re-records them: "
        "PYTHONPATH=$PWD/src .venv/bin/python tests/docs_examples.py"
    )


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_prompt_is_in_a_block_that_runs(path: Path) -> None:
    assert stray_prompts(path) == [], f"{path}: fence '>>>' examples as ```python"


TABLE = """\
Title: 3 rows
name   n   p
alpha  1   0.1
beta   22  0.22
gamma  3   -
"""


@pytest.mark.parametrize(
    "want",
    [
        TABLE,
        "Title: 3 rows\nname n p\nalpha 1 0.1\nbeta 22 0.22\ngamma 3 -\n",  # spacing
        "Title:\n3 rows\nname   n   p\n...\n",  # wrapped; rows left out
        "Title: 3 rows\nname ...\nalpha ...\nbeta ...\ngamma ...\n",  # columns left out
        "...\nbeta   22  0.22\n...\n",
        "Title: ... rows\n...\ngamma  3   -\n",
    ],
)
def test_what_an_output_may_leave_out(want: str) -> None:
    assert matches(want, TABLE)


@pytest.mark.parametrize(
    "want",
    [
        TABLE.replace("0.22", "0.23"),  # a number
        TABLE.replace("gamma  3   -\n", ""),  # a row not marked as left out
        "Title: 3 rows\nname ...\nalpha ...\ngamma ...\n",  # a cut row hides no other row
        "Title: 3 rows\n...\nlpha  1   0.1\n...\n",  # a row starts where a line starts
        TABLE + "delta  4   0.4\n",
        "",
    ],
)
def test_what_an_output_may_not_hide(want: str) -> None:
    assert not matches(want, TABLE)


def test_an_example_that_prints_nothing_shows_nothing() -> None:
    assert matches("", "") and matches("", "\n") and not matches("", "1\n")


def test_rerecording_writes_new_numbers_into_the_shown_layout() -> None:
    shown = "Title: 3 rows\nname   n   p  ...\n...\nbeta   22  0.22  ...\n...\n"
    got = TABLE.replace("22  0.22", "7   0.07  x").replace("3 rows", "4 rows")
    new = "Title: 4 rows\nname   n   p  ...\n...\nbeta   7   0.07  ...\n...\n"
    assert rerecorded(shown, got) == new
    assert matches(rerecorded(shown, got) or "", got)
    assert rerecorded(shown, got.replace("beta", "delta")) is None  # not only numbers changed
    assert rerecorded("gamma  3   -\n", "gamma  3   0.3\n") == "gamma  3   0.3\n"


def test_console_commands_run_in_a_shell_in_one_directory(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        textwrap.dedent("""\
            ```console
            $ echo a b > f; echo \\
                c
            c

            $ cat f
            a ...
            ```
            """)
    )
    found = examples(doc)
    assert [(ex.line, ex.source, ex.want, ex.command) for ex in found] == [
        (2, "echo a b > f; echo \\\n    c", "c\n", True),
        (6, "cat f", "a ...\n", True),
    ]
    assert [(ex.start, ex.end) for ex in found] == [(3, 4), (6, 7)]
    assert run(found) == ["c\n", "a b\n"]


def test_a_figure_is_checked_and_rerecorded_from_its_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(FIGURES, "two-arms", lambda: "| arm | p |\n| --- | --- |\n| a | 0.2 |\n")
    doc = tmp_path / "doc.md"
    shown = "| arm | p |\n|---|---|\n| a   | 0.1 |\n"
    doc.write_text(f"Text.\n<!-- figure: two-arms -->\n{shown}\nMore text.\n")
    (ex,) = examples(doc)
    assert (ex.figure, ex.source, ex.line, ex.start, ex.end) == (True, "two-arms", 2, 2, 5)
    (got,) = run([ex])
    assert not matches(ex.want, got)  # a figure that drifted fails
    assert rerecord(doc) == [f"{ex.where}: re-recorded (figure two-arms)"]
    table = "| arm | p |\n| --- | --- |\n| a | 0.2 |\n"
    assert doc.read_text() == f"Text.\n<!-- figure: two-arms -->\n{table}\nMore text.\n"
    assert all(matches(e.want, g) for e, g in zip(examples(doc), run(examples(doc)), strict=True))


def test_a_figure_in_a_fenced_block_is_not_one(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("```\n<!-- figure: two-arms -->\n| a |\n```\n")
    assert examples(doc) == []


def test_an_unknown_figure_fails_with_the_known_names(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- figure: nonesuch -->\n| a |\n")
    (got,) = run(examples(doc))
    assert "no figure 'nonesuch'" in got and "cuba-baseline" in got

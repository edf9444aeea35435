"""Progress bars on stderr for commands that play many runs, and their Ctrl-C handling."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["progress", "run_with_progress"]


class _Rate(ProgressColumn):
    """Runs per second so far."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed
        if not elapsed or not task.completed:
            return Text("")
        return Text(f"{task.completed / elapsed:,.0f} runs/s")


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None] | None]:
    """A transient bar on stderr (runs done, rate, elapsed, ETA) when stderr is a terminal;
    yields the function that advances it (None when there is no bar)."""
    console = Console(stderr=True)
    if not console.is_terminal or total < 1:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


_T = TypeVar("_T")


def run_with_progress(
    label: str, total: int, work: Callable[[Callable[[int], None]], _T], note: str = ""
) -> _T:
    """``work(advance)`` with a progress bar over ``total`` runs; on Ctrl-C one line
    (runs done, and ``note``) and exit code 130."""
    done = 0
    try:
        with progress(label, total) as bar:

            def advance(n: int) -> None:
                nonlocal done
                done += n
                if bar:
                    bar(n)

            return work(advance)
    except KeyboardInterrupt:
        sys.stderr.write(f"interrupted after {done:,} of {total:,} runs{note}\n")
        raise typer.Exit(130) from None

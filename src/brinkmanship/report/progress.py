"""Rich progress bars (rate and time left) on stderr for the slow parts of a report; silent
when stderr is not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Advance = Callable[[int], None]
Track = Callable[[str, int], Advance]


@contextmanager
def progress_bars(console: Console | None = None) -> Iterator[Track]:
    """Yields ``track(label, total)``, which adds a bar and returns its ``advance(n)``."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield lambda label, total: lambda n: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bars:

        def track(label: str, total: int) -> Advance:
            task = bars.add_task(label, total=total, rate="")

            def advance(n: int) -> None:
                bars.advance(task, n)
                speed = next(t.speed for t in bars.tasks if t.id == task)
                bars.update(task, rate=f"{speed:,.0f} runs/s" if speed else "")

            return advance

        yield track

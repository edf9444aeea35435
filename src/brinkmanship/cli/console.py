"""Rich consoles for the commands' tables."""

from __future__ import annotations

from rich.console import Console

__all__ = ["wide_console"]


def wide_console() -> Console:
    """A console for tables: the terminal's width, or 140 columns when piped. No markup:
    texts from scenario files and players print as written (``[/]`` is not a tag)."""
    probe = Console()
    return Console(highlight=False, markup=False, width=None if probe.is_terminal else 140)

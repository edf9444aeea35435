"""Rich consoles for the commands' tables."""

from __future__ import annotations

import os

from rich.console import Console

__all__ = ["plain_console", "wide_console"]


def plain_console(piped_width: int) -> Console:
    """A console without markup (texts from scenario files and players print as written:
    ``[/]`` is not a tag), as wide as the terminal, or as ``COLUMNS`` says, or else
    ``piped_width`` columns when the output is piped."""
    probe = Console()
    chosen = probe.is_terminal or os.environ.get("COLUMNS", "").strip().isdigit()
    return Console(highlight=False, markup=False, width=None if chosen else piped_width)


def wide_console() -> Console:
    """A console for tables: the terminal's width (or ``COLUMNS``), or 140 columns when piped."""
    return plain_console(140)

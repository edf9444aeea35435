"""What every result of the Python API shares: one Arrow table, and the same table as a
pandas or polars frame, a plain-text table for ``repr`` and an HTML one for notebooks.

Arrow is the one statement of a result's table; pandas and polars are converted from it,
so the three always agree.
"""

from __future__ import annotations

import html
import math
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["Frame", "text_table"]

MAX_ROWS = 40
"""Rows a ``repr`` shows before it elides the rest (the frames hold them all)."""
MAX_WIDTH = 60
"""Characters a cell of a ``repr`` shows before it elides the rest."""


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= MAX_WIDTH else text[: MAX_WIDTH - 1] + "…"


def _rows(table: pa.Table) -> tuple[list[str], list[list[str]], int]:
    shown = table.slice(0, MAX_ROWS).to_pylist()
    columns = list(table.column_names)
    return columns, [[_cell(row[c]) for c in columns] for row in shown], table.num_rows


def text_table(table: pa.Table) -> str:
    """The table as aligned plain text (at most :data:`MAX_ROWS` rows)."""
    columns, rows, total = _rows(table)
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    if total > len(rows):
        lines.append(f"... {total - len(rows)} more rows")
    return "\n".join(line.rstrip() for line in lines)


def _html_table(table: pa.Table) -> str:
    columns, rows, total = _rows(table)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows
    )
    more = f"<p>… {total - len(rows)} more rows</p>" if total > len(rows) else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


class Frame(ABC):
    """A result with one table: :meth:`to_arrow`, and from it the other forms."""

    @abstractmethod
    def to_arrow(self) -> pa.Table:
        """The result as an Arrow table."""

    @abstractmethod
    def title(self) -> str:
        """One line saying what the table holds and what produced it."""

    def to_pandas(self) -> pd.DataFrame:
        """The result as a pandas DataFrame (the same rows and columns as :meth:`to_arrow`)."""
        return self.to_arrow().to_pandas()

    def to_polars(self) -> pl.DataFrame:
        """The result as a polars DataFrame (the same rows and columns as :meth:`to_arrow`)."""
        import polars as pl  # polars is imported only by those who ask for it

        frame = pl.from_arrow(self.to_arrow())
        assert isinstance(frame, pl.DataFrame)  # a table, not a column, gives a DataFrame
        return frame

    def __repr__(self) -> str:
        return f"{self.title()}\n{text_table(self.to_arrow())}"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.title())}</p>{_html_table(self.to_arrow())}"

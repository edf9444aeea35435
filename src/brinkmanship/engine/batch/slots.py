"""Where each table and state field lives in the batch kernel's flat arrays, numbered from
the declarations in :mod:`fields`.

The kernel takes two flat arrays, every integer in ``ti`` and every float in ``tf``,
instead of a hundred small ones (numba passes every array as several machine arguments on
every call). The first ``N_SLOTS`` integers of ``ti`` are the offsets: ``ti[X]`` is where
field ``X`` starts in its array. The slots are named after the fields:

- ``T_<FIELD>`` for each field of ``Tables``, and ``T_SI_INIT``/``T_SF_INIT``, the initial
  values of the per-run state (ints, floats) that every run is reset from;
- ``S_<FIELD>`` for each field of ``State``, and ``S_STATE_I``/``S_STATE_F`` (where the
  state starts), ``S_RESET_I``/``S_RESET_F`` (how many of its values are per run, a count
  rather than an offset) and ``S_LOG_CAP`` (the event log's capacity in rows);
- ``WT_<FIELD>``/``WS_<FIELD>`` for the row width of each matrix of ``Tables``/``State``;
- ``LAYOUT`` (slot 0) for ``LAYOUT_KEY``, a checksum of these names: the kernel refuses
  arrays laid out for another numbering (numba's cache, keyed on the kernel's own source,
  would otherwise keep constants from an older numbering of this module).

Every name is a module attribute (``from slots import T_CODE``), made here at import.
"""

from __future__ import annotations

import zlib
from typing import Final

from brinkmanship.engine.batch.fields import State, Tables, matrix_fields

PACKED_TABLES: Final = ("si_init", "sf_init")
"""Tables that ``pack`` adds: copies of the per-run state's initial values."""
PACKED_COUNTS: Final = ("state_i", "state_f", "reset_i", "reset_f", "log_cap")
"""State slots that are not a field: where the state starts, its sizes, the log's rows."""


def _names() -> list[str]:
    names = ["LAYOUT"]
    names += [f"T_{f.upper()}" for f in (*Tables._fields, *PACKED_TABLES)]
    names += [f"WT_{f.upper()}" for f in matrix_fields(Tables)]
    names += [f"S_{f.upper()}" for f in (*State._fields, *PACKED_COUNTS)]
    names += [f"WS_{f.upper()}" for f in matrix_fields(State)]
    if len(set(names)) != len(names):  # pragma: no cover - a clash of names fails at import
        raise TypeError(f"slot names clash: {sorted(n for n in names if names.count(n) > 1)}")
    return names


SLOTS: Final[dict[str, int]] = {name: i for i, name in enumerate(_names())}
N_SLOTS: Final = len(SLOTS)
LAYOUT_KEY: Final = zlib.crc32(" ".join(SLOTS).encode())
globals().update(SLOTS)


def table(field: str) -> int:
    """The slot of a Tables field (or of a table ``pack`` adds)."""
    return SLOTS[f"T_{field.upper()}"]


def state(field: str) -> int:
    """The slot of a State field (or of one of ``PACKED_COUNTS``)."""
    return SLOTS[f"S_{field.upper()}"]


def table_width(field: str) -> int:
    """The slot of a Tables matrix's row width."""
    return SLOTS[f"WT_{field.upper()}"]


def state_width(field: str) -> int:
    """The slot of a State matrix's row width."""
    return SLOTS[f"WS_{field.upper()}"]


def __getattr__(name: str) -> int:
    # Only for names that are not slots: the slots are real attributes (globals above).
    # Declaring it tells type checkers that this module's other attributes are ints.
    raise AttributeError(f"module {__name__!r} has no slot {name!r}")

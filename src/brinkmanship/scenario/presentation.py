"""The compiled ``presentation`` of a scenario: what a screen shows (a map with layers
bound to state variables, gauges and the way each counts, the numbers a player reads).
Display only: no engine reads it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from brinkmanship.scenario.expressions import Expression, evaluate
from brinkmanship.scenario.schema import LonLat, Symbol, Tone

DEGREE = {"km": 111.045, "mi": 69.0, "nmi": 60.0}
"""A degree of latitude in each unit of distance."""


@dataclass(frozen=True)
class Projection:
    """Equirectangular at the extent's middle latitude: ``width`` pixels across."""

    west: float
    east: float
    south: float
    north: float
    width: int

    @property
    def scale_x(self) -> float:
        return self.width / (self.east - self.west)

    @property
    def scale_y(self) -> float:
        return self.scale_x / math.cos(math.radians((self.north + self.south) / 2))

    @property
    def height(self) -> int:
        return round((self.north - self.south) * self.scale_y)

    def contains(self, point: LonLat) -> bool:
        lon, lat = point
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    def project(self, point: LonLat) -> tuple[float, float]:
        """Pixel coordinates (x right, y down) of a point."""
        lon, lat = point
        return round((lon - self.west) * self.scale_x, 1), round(
            (self.north - lat) * self.scale_y, 1
        )


def arc_points(
    centre: LonLat, radius: float, unit: str, bearings: tuple[float, float]
) -> tuple[LonLat, ...]:
    """An arc of a circle drawn on the sphere's tangent plane (fine at a map's scale), as
    25 points from the first bearing to the second, clockwise from north."""
    lon0, lat0 = centre
    degrees = radius / DEGREE[unit]
    start, end = bearings
    out = []
    for i in range(25):
        bearing = math.radians(start + (end - start) * i / 24)
        lat = lat0 + degrees * math.cos(bearing)
        lon = lon0 + degrees * math.sin(bearing) / math.cos(math.radians(lat0))
        out.append((lon, lat))
    return tuple(out)


@dataclass(frozen=True)
class Shape:
    """A named coastline (closed) or border (open)."""

    name: str
    points: tuple[LonLat, ...]


@dataclass(frozen=True)
class Layer:
    """Something drawn while the viewer sees every variable in ``reads`` and ``when``
    holds: a symbol at ``points[0]`` (``repeat``: one per unit of ``value``, at most
    ``most``, ``step`` apart) or, with ``line``, a line through ``points``."""

    id: str
    label: str
    when: Expression
    value: Expression | None
    reads: frozenset[str]
    symbol: Symbol | None
    tone: Tone
    points: tuple[LonLat, ...]
    line: bool
    repeat: bool
    most: int
    step: LonLat
    tag: str

    def holds(self, env: Mapping[str, float]) -> bool:
        """Whether ``when`` holds in ``env`` (see :func:`layer_env`)."""
        return bool(evaluate(self.when, env))

    def number(self, env: Mapping[str, float]) -> float | None:
        """The value in ``env``, or None for a layer without one."""
        return None if self.value is None else evaluate(self.value, env)

    def text(self, value: float | None) -> str:
        """The legend line, with ``{value}`` filled in."""
        if value is None:
            return self.label
        whole = math.isfinite(value) and value == int(value)
        shown = f"{int(value):,}" if whole else f"{value:g}"
        return self.label.replace("{value}", shown)


@dataclass(frozen=True)
class MapSpec:
    """A scenario's map."""

    title: str
    projection: Projection
    land: tuple[Shape, ...]
    borders: tuple[Shape, ...]
    places: tuple[tuple[str, LonLat], ...]
    layers: tuple[Layer, ...]
    empty: str
    """The legend when no layer is drawn."""


@dataclass(frozen=True)
class GaugeSpec:
    """An alert level shown as a gauge; ``down``: danger grows as the value falls."""

    name: str
    counts: Literal["up", "down"]
    label: str


@dataclass(frozen=True)
class QuantitySpec:
    """A number shown to the player, with its unit."""

    name: str
    unit: str
    label: str


@dataclass(frozen=True)
class Presentation:
    """What the screens show. ``quantities`` is None when the scenario does not choose
    (every visible number is then shown, without a unit)."""

    map: MapSpec | None = None
    gauges: tuple[GaugeSpec, ...] = ()
    quantities: tuple[QuantitySpec, ...] | None = None
    sides: tuple[str, ...] | None = None
    """The sides a person plays (principal actors); None: every principal actor."""
    working_hours: tuple[tuple[str, int, int], ...] = ()
    """Per side, the hours of the clock [from, to) in which its queued orders are carried
    out (a player's later orders wait for them; a side not named works every hour)."""

    def at_work(self, side: str, hour: int) -> bool:
        """Whether ``side`` carries out queued orders at ``hour`` (0-23) of the clock."""
        return all(start <= hour < end for s, start, end in self.working_hours if s == side)

    def gauge(self, name: str) -> GaugeSpec | None:
        return next((g for g in self.gauges if g.name == name), None)

    def quantity(self, name: str) -> QuantitySpec | None:
        """How ``name`` is shown as a number; None if it is not shown as one."""
        if self.quantities is None:
            return QuantitySpec(name, "", "")
        return next((q for q in self.quantities if q.name == name), None)


NONE = Presentation()
"""A scenario without a presentation: no map, no gauges, every visible number shown."""


def layer_env(
    values: Mapping[str, float | int | bool],
    parameters: Mapping[str, float],
    tick: int,
    hours: float,
) -> dict[str, float]:
    """The environment a layer's expressions are evaluated in: the visible state, the
    parameters, ``tick`` and ``hours``."""
    env = dict(parameters)
    env.update({name: float(v) for name, v in values.items()})
    env.update(tick=float(tick), hours=hours)
    return env

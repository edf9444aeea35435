"""Compile a scenario's ``presentation``: every variable it names must exist (and have the
type its use needs), every expression must check, and the map must be drawable: a real
extent, places and symbols inside it, shapes that reach it. Errors name file:line:column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NoReturn, Protocol

from brinkmanship.scenario import compiled as c
from brinkmanship.scenario import presentation as p
from brinkmanship.scenario import schema as s
from brinkmanship.scenario.expressions import ExprType

PathT = tuple[str | int, ...]
MIN_WIDTH, MAX_WIDTH = 200, 4000
"""The map's width in pixels."""


class Checks(Protocol):
    """What the scenario compiler lends: located errors and checked expressions."""

    def fail(self, path: PathT, message: str, *, key: bool = False) -> NoReturn: ...

    def expr(
        self, value: s.ExprText, path: PathT, names: Mapping[str, ExprType], expected: ExprType
    ) -> c.Expr: ...

    def sources(self, cited: Sequence[str], path: PathT) -> tuple[str, ...]: ...


def _box(points: Sequence[s.LonLat]) -> tuple[float, float, float, float]:
    lons = [lon for lon, _ in points]
    lats = [lat for _, lat in points]
    return min(lons), max(lons), min(lats), max(lats)


class PresentationCompiler:
    """Checks and compiles one :class:`schema.Presentation`."""

    def __init__(
        self,
        checks: Checks,
        variables: Mapping[str, c.Variable],
        names: Mapping[str, ExprType],
        actors: Mapping[str, s.Actor] | None = None,
    ) -> None:
        self.checks = checks
        self.variables = variables
        self.names = names
        self.actors = actors or {}

    def fail(self, path: PathT, message: str, *, key: bool = False) -> NoReturn:
        self.checks.fail(("presentation", *path), message, key=key)

    def compile(self, pr: s.Presentation | None) -> p.Presentation:
        if pr is None:
            return p.NONE
        gauges = tuple(self._gauge(name, g) for name, g in pr.gauges.items())
        quantities = None
        if pr.quantities is not None:
            quantities = tuple(self._quantity(name, q, pr) for name, q in pr.quantities.items())
        return p.Presentation(
            map=self._map(pr.map) if pr.map is not None else None,
            gauges=gauges,
            quantities=quantities,
            sides=self._sides(pr.sides) if pr.sides is not None else None,
            working_hours=self._working_hours(pr.working_hours),
        )

    def _working_hours(
        self, hours: Mapping[str, tuple[int, int]]
    ) -> tuple[tuple[str, int, int], ...]:
        """Each side's working hours: a principal actor, from an hour before to (0-24)."""
        for side, (start, end) in hours.items():
            if side not in self.actors:
                self.fail(("working_hours", side), f"unknown actor {side!r}", key=True)
            if not 0 <= start < end <= 24:
                self.fail(
                    ("working_hours", side),
                    f"give [from, to) as hours with 0 <= from < to <= 24, not [{start}, {end}]",
                )
        return tuple((side, start, end) for side, (start, end) in hours.items())

    def _sides(self, sides: Sequence[str]) -> tuple[str, ...]:
        """The sides a person plays, each once: actors of the scenario, usually principal
        ones; an actor that serves a side is named where it, not its side, holds the
        decisions (it scores its side's utility)."""
        if not sides:
            self.fail(("sides",), "list at least one side a person plays, or leave sides out")
        for i, side in enumerate(sides):
            if side not in self.actors:
                self.fail(
                    ("sides", i),
                    f"unknown actor {side!r} as a side a person plays; actors: "
                    f"{', '.join(self.actors)}",
                )
            if side in sides[:i]:
                self.fail(("sides", i), f"{side!r} is listed twice")
        return tuple(sides)

    # ------------------------------------------------------------ numbers

    def _number_var(self, name: str, path: PathT, what: str) -> c.Variable:
        var = self.variables.get(name)
        if var is None:
            known = ", ".join(sorted(self.variables)) or "(none)"
            message = f"unknown variable {name!r} as {what}; state variables: {known}"
            self.fail(path, message, key=True)
        if var.type is s.VarType.BOOL:
            self.fail(path, f"{name!r} is a bool; {what} must be a number", key=True)
        return var

    def _gauge(self, name: str, g: s.Gauge) -> p.GaugeSpec:
        var = self._number_var(name, ("gauges", name), "a gauge")
        if not (var.lo > -float("inf") and var.hi < float("inf")):
            self.fail(
                ("gauges", name),
                f"gauge {name!r} needs a variable with a min and a max (it has "
                f"[{var.lo}, {var.hi}])",
                key=True,
            )
        return p.GaugeSpec(name, g.counts, g.label or var.label)

    def _quantity(self, name: str, q: s.Quantity, pr: s.Presentation) -> p.QuantitySpec:
        var = self._number_var(name, ("quantities", name), "a quantity")
        if name in pr.gauges:
            self.fail(("quantities", name), f"{name!r} is a gauge already; list it once", key=True)
        return p.QuantitySpec(name, q.unit, q.label or var.label)

    # ------------------------------------------------------------ the map

    def _map(self, m: s.Map) -> p.MapSpec:
        proj = self._projection(m)
        self.checks.sources(m.sources, ("presentation", "map"))
        land = tuple(self._shape(proj, ("map", "land", n), n, pts, 3) for n, pts in m.land.items())
        borders = tuple(
            self._shape(proj, ("map", "borders", n), n, pts, 2) for n, pts in m.borders.items()
        )
        for name, at in m.places.items():
            self._point(proj, ("map", "places", name), at, f"place {name!r}")
        layers = tuple(self._layer(proj, lid, layer) for lid, layer in m.layers.items())
        return p.MapSpec(
            title=m.title,
            projection=proj,
            land=land,
            borders=borders,
            places=tuple(m.places.items()),
            layers=layers,
            empty=m.empty,
        )

    def _projection(self, m: s.Map) -> p.Projection:
        e = m.extent
        path: PathT = ("map", "extent")
        for side in ("west", "east"):
            if not -180 <= getattr(e, side) <= 180:
                self.fail((*path, side), f"longitude {getattr(e, side)} is not in [-180, 180]")
        for side in ("south", "north"):
            if not -90 < getattr(e, side) < 90:
                self.fail((*path, side), f"latitude {getattr(e, side)} is not in (-90, 90)")
        if e.west >= e.east:
            self.fail((*path, "east"), f"east ({e.east}) must lie east of west ({e.west})")
        if e.south >= e.north:
            self.fail((*path, "north"), f"north ({e.north}) must lie north of south ({e.south})")
        if not MIN_WIDTH <= m.width <= MAX_WIDTH:
            self.fail(("map", "width"), f"width {m.width} is not in [{MIN_WIDTH}, {MAX_WIDTH}]")
        proj = p.Projection(e.west, e.east, e.south, e.north, m.width)
        if not MIN_WIDTH // 4 <= proj.height <= MAX_WIDTH:
            self.fail(path, f"the extent makes a map {m.width} x {proj.height} pixels; widen it")
        return proj

    def _point(self, proj: p.Projection, path: PathT, at: s.LonLat, what: str) -> None:
        if not proj.contains(at):
            self.fail(
                path,
                f"{what} at {list(at)} lies outside the map's extent "
                f"(longitude {proj.west}..{proj.east}, latitude {proj.south}..{proj.north})",
            )

    def _shape(
        self, proj: p.Projection, path: PathT, name: str, points: Sequence[s.LonLat], least: int
    ) -> p.Shape:
        if len(points) < least:
            self.fail(path, f"{name!r} needs at least {least} points, it has {len(points)}")
        for i, (lon, lat) in enumerate(points):
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                self.fail((*path, i), f"{[lon, lat]} is not a longitude and latitude")
        west, east, south, north = _box(points)
        if east < proj.west or west > proj.east or north < proj.south or south > proj.north:
            self.fail(path, f"{name!r} lies wholly outside the map's extent")
        return p.Shape(name, tuple(points))

    def _layer(self, proj: p.Projection, lid: str, layer: s.Layer) -> p.Layer:
        path: PathT = ("map", "layers", lid)
        full = ("presentation", *path)
        self.checks.sources(layer.sources, full)
        kinds = [k for k in ("at", "line", "arc") if getattr(layer, k) is not None]
        if len(kinds) != 1:
            has = ", ".join(kinds) or "none"
            self.fail(path, f"layer {lid!r} needs exactly one of at, line, arc (it has {has})")
        when = self.checks.expr(layer.when, (*full, "when"), self.names, ExprType.BOOL)
        value = None
        if layer.value is not None:
            value = self.checks.expr(layer.value, (*full, "value"), self.names, ExprType.NUMBER)
        elif "{value}" in layer.label:
            self.fail((*path, "label"), "the label shows {value} but the layer has no value")
        if layer.repeat and (value is None or layer.at is None):
            self.fail((*path, "repeat"), "repeat needs a symbol at a point and a value to count")
        points: tuple[s.LonLat, ...]
        if layer.at is not None:
            if layer.symbol is None:
                self.fail(path, f"layer {lid!r} draws at a point: give it a symbol")
            self._point(proj, (*path, "at"), layer.at, f"layer {lid!r}")
            if layer.repeat:
                n = layer.most - 1
                last = (layer.at[0] + n * layer.step[0], layer.at[1] + n * layer.step[1])
                self._point(proj, (*path, "step"), last, f"symbol {layer.most} (most) of {lid!r}")
            points = (layer.at,)
        elif layer.line is not None:
            points = self._shape(proj, (*path, "line"), lid, layer.line, 2).points
        else:
            arc = layer.arc
            assert arc is not None
            if arc.radius <= 0:
                self.fail((*path, "arc", "radius"), f"radius {arc.radius} must be positive")
            if not -80 <= arc.centre[1] <= 80:
                self.fail(
                    (*path, "arc", "centre"), "an arc's centre must lie within 80° of the Equator"
                )
            line = p.arc_points(arc.centre, arc.radius, arc.unit, arc.bearings)
            points = self._shape(proj, (*path, "arc"), lid, line, 2).points
        exprs = [e for e in (when, value) if e is not None]
        reads = frozenset(n for e in exprs for n in e.expression.names if n in self.variables)
        return p.Layer(
            id=lid,
            label=layer.label,
            when=when.expression,
            value=value.expression if value is not None else None,
            reads=reads,
            symbol=layer.symbol,
            tone=layer.tone,
            points=points,
            line=layer.at is None,
            repeat=layer.repeat,
            most=layer.most,
            step=layer.step,
            tag=layer.tag,
        )

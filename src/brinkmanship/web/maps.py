"""The game screen's map, drawn from the scenario's ``presentation`` and the state the
player may see.

A layer appears only when every variable it reads is in the player's view, so the map
never shows what their side does not know: two layers at one place may show the true count
to one side and the believed count to the other. A scenario without a map gets none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from brinkmanship.play.view import GameView
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.presentation import Layer, MapSpec, Projection, layer_env
from brinkmanship.scenario.schema import LonLat


@dataclass(frozen=True)
class Marker:
    """A symbol on the map: ``symbol`` picks its drawing, ``tone`` its colour; ``label``
    says what it is; ``layer`` is the id of the layer that drew it."""

    symbol: str
    tone: str
    x: float
    y: float
    label: str
    layer: str = ""


@dataclass(frozen=True)
class Line:
    """A line drawn by a layer (``tag``: a short text beside it, at ``tag_at``)."""

    layer: str
    path: str
    tone: str
    label: str
    tag: str
    tag_at: tuple[float, float]


@dataclass(frozen=True)
class Land:
    """A coastline (closed) or border (open)."""

    name: str
    path: str


@dataclass(frozen=True)
class Key:
    """A legend entry: the mark a drawn layer makes (``symbol``; ``line`` for a line) in its
    ``tone``, and what it means."""

    symbol: str
    tone: str
    text: str


DOT = "dot"
"""The symbol of a layer that names none."""

LINE = "line"
"""The legend's mark for a layer drawn as a line."""

TONE_MEANING: dict[str, str] = {
    "calm": "calm",
    "low": "low danger",
    "medium": "some danger",
    "high": "high danger",
    "severe": "the greatest danger",
    "secret": "secret: what the other side is not meant to see",
}
"""What a colour says, for the tones that say something (the gauges' scale from calm to
severe, and secret); ``plain`` and ``dark`` are only ink."""


@dataclass(frozen=True)
class MapModel:
    """Everything the SVG template draws, a text description of it, and its legend: one
    entry per layer drawn, and what each colour among them means."""

    title: str
    width: int
    height: int
    land: tuple[Land, ...]
    borders: tuple[Land, ...]
    places: tuple[Marker, ...]
    lines: tuple[Line, ...]
    markers: tuple[Marker, ...]
    description: tuple[str, ...] = field(default=())
    legend: tuple[Key, ...] = field(default=())
    colours: tuple[tuple[str, str], ...] = field(default=())
    """(tone, meaning) for the meaningful tones of the layers drawn, calm to secret."""


def svg_path(proj: Projection, points: Sequence[LonLat], close: bool) -> str:
    """An SVG path through ``points``."""
    xy = [proj.project(point) for point in points]
    head, *rest = xy
    d = f"M{head[0]},{head[1]}" + "".join(f" L{x},{y}" for x, y in rest)
    return d + (" Z" if close else "")


TAG_AT = 0.25
"""Where along a line its tag is drawn (as a share of its points)."""


def along(points: Sequence[LonLat], share: float) -> LonLat:
    """The point ``share`` of the way through ``points``, counting each segment alike."""
    position = (len(points) - 1) * share
    i = min(int(position), len(points) - 2)
    t = position - i
    (lon0, lat0), (lon1, lat1) = points[i], points[i + 1]
    return lon0 + (lon1 - lon0) * t, lat0 + (lat1 - lat0) * t


def _symbols(proj: Projection, layer: Layer, value: float | None, label: str) -> list[Marker]:
    count = 1
    if layer.repeat:
        number = 0.0 if value is None or math.isnan(value) else value
        count = int(min(max(number, 0.0), layer.most))
    lon, lat = layer.points[0]
    dlon, dlat = layer.step
    out = []
    for i in range(count):
        x, y = proj.project((lon + dlon * i, lat + dlat * i))
        out.append(Marker(layer.symbol or DOT, layer.tone, x, y, label, layer.id))
    return out


def draw(spec: MapSpec, env: dict[str, float], visible: frozenset[str]) -> MapModel:
    """The map for a viewer who sees the variables ``visible``, with ``env`` their values
    (and the parameters, ``tick`` and ``hours``; see :func:`layer_env`)."""
    proj = spec.projection
    markers: list[Marker] = []
    lines: list[Line] = []
    said: list[str] = []
    legend: list[Key] = []
    for layer in spec.layers:
        if not layer.reads <= visible or not layer.holds(env):
            continue
        value = layer.number(env)
        if layer.repeat and (value is None or value < 1):
            continue
        label = layer.text(value)
        if layer.line:
            lines.append(
                Line(
                    layer.id,
                    svg_path(proj, layer.points, close=False),
                    layer.tone,
                    label,
                    layer.tag,
                    proj.project(along(layer.points, TAG_AT)),
                )
            )
        else:
            markers += _symbols(proj, layer, value, label)
        said.append(label)
        legend.append(Key(LINE if layer.line else layer.symbol or DOT, layer.tone, label))
    tones = {key.tone for key in legend}
    return MapModel(
        title=spec.title,
        width=proj.width,
        height=proj.height,
        land=tuple(Land(s.name, svg_path(proj, s.points, close=True)) for s in spec.land),
        borders=tuple(Land(s.name, svg_path(proj, s.points, close=False)) for s in spec.borders),
        places=tuple(Marker("place", "plain", *proj.project(at), name) for name, at in spec.places),
        lines=tuple(lines),
        markers=tuple(markers),
        description=tuple(said) or (spec.empty,),
        legend=tuple(legend),
        colours=tuple((tone, text) for tone, text in TONE_MEANING.items() if tone in tones),
    )


def scenario_map(sc: CompiledScenario, view: GameView) -> MapModel | None:
    """The map of ``sc`` as the player of ``view`` may see it; None without a map."""
    spec = sc.presentation.map
    if spec is None:
        return None
    values = {item.name: item.value for item in view.state}
    env = layer_env(values, sc.parameter_env(), view.tick, view.tick * sc.tick_hours)
    return draw(spec, env, frozenset(values))

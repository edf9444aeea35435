"""The game screen's map of the Caribbean, drawn from the state the player may see.

Coastlines are our own rough tracings (longitude, latitude) on an equirectangular
projection; places are those the fact sheet names. Markers appear only for state
variables present in the player's view, so the map never shows what their side does not
know: the US sees the launchers it *believes* operational, the Soviet side the true count,
and submarines appear once the Navy hunts them or they surface. Scenarios other than
``cuba-1962`` have no map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from brinkmanship.play.view import GameView

WEST, EAST, NORTH, SOUTH = -88.0, -64.0, 30.5, 16.0
SCALE_X, SCALE_Y = 36.0, 40.0
WIDTH = round((EAST - WEST) * SCALE_X)
HEIGHT = round((NORTH - SOUTH) * SCALE_Y)
MAX_ICONS = 12

LonLat = tuple[float, float]

# fmt: off
LAND: dict[str, tuple[LonLat, ...]] = {
    "Cuba": (
        (-84.95, 21.86), (-84.4, 22.4), (-83.6, 22.75), (-82.75, 23.0), (-82.36, 23.14),
        (-81.6, 23.1), (-80.9, 23.2), (-80.0, 22.95), (-79.2, 22.55), (-78.4, 22.45),
        (-77.7, 21.9), (-77.2, 21.65), (-76.2, 21.2), (-75.6, 20.9), (-74.95, 20.65),
        (-74.13, 20.22), (-74.5, 20.05), (-75.2, 19.9), (-75.85, 19.97), (-76.8, 19.85),
        (-77.7, 19.83), (-77.15, 20.35), (-77.6, 20.75), (-78.1, 21.0), (-78.7, 21.55),
        (-79.6, 21.7), (-80.05, 21.8), (-80.45, 22.05), (-81.1, 22.1), (-81.7, 22.25),
        (-82.2, 22.6), (-83.0, 22.35), (-83.9, 22.15), (-84.5, 21.9),
    ),
    "Isla de Pinos": (
        (-83.2, 21.85), (-82.6, 21.95), (-82.5, 21.6), (-82.9, 21.45), (-83.15, 21.6),
    ),
    "Florida": (
        (-88.0, 30.6), (-85.3, 29.7), (-84.3, 30.0), (-83.5, 29.5), (-82.7, 28.5),
        (-82.6, 27.5), (-82.0, 26.5), (-81.7, 25.9), (-81.1, 25.15), (-80.4, 25.2),
        (-80.1, 25.8), (-80.05, 26.8), (-80.6, 28.4), (-81.0, 29.5), (-81.4, 30.7),
        (-81.4, 31.0), (-88.0, 31.0),
    ),
    "Yucatán": (
        (-88.5, 21.5), (-87.1, 21.6), (-86.75, 21.1), (-87.4, 20.2), (-87.5, 19.0),
        (-88.5, 18.0),
    ),
    "Jamaica": (
        (-78.35, 18.45), (-77.5, 18.5), (-76.8, 18.25), (-76.2, 17.9), (-76.8, 17.9),
        (-77.2, 17.75), (-77.8, 17.85), (-78.35, 18.2),
    ),
    "Hispaniola": (
        (-74.45, 18.4), (-73.5, 18.55), (-72.35, 18.55), (-72.8, 19.0), (-73.4, 19.8),
        (-72.2, 19.75), (-71.0, 19.9), (-69.9, 19.65), (-69.0, 19.1), (-68.35, 18.6),
        (-68.8, 18.2), (-69.9, 18.45), (-71.1, 18.2), (-71.4, 17.6), (-71.7, 18.05),
        (-72.8, 18.15),
    ),
    "Andros": (
        (-78.2, 25.1), (-77.7, 24.7), (-77.75, 24.0), (-78.1, 24.2),
    ),
    "Grand Bahama": (
        (-79.0, 26.7), (-78.0, 26.7), (-78.0, 26.55), (-78.9, 26.5),
    ),
    "Abaco": (
        (-77.5, 27.0), (-77.0, 26.5), (-77.15, 26.0), (-77.4, 26.4),
    ),
    "Eleuthera": (
        (-76.7, 25.55), (-76.2, 25.2), (-76.15, 24.7), (-76.35, 25.1),
    ),
    "Puerto Rico": (
        (-67.2, 18.5), (-65.6, 18.4), (-65.6, 18.0), (-67.2, 17.95),
    ),
}
# fmt: on

PLACES: dict[str, LonLat] = {
    "Havana": (-82.37, 23.13),
    "Key West": (-81.78, 24.56),
    "Guantánamo": (-75.15, 19.9),
}

SITES: LonLat = (-83.05, 22.72)
"""San Cristóbal, where the U-2 photographed the MRBM sites."""
MARIEL: LonLat = (-82.75, 23.01)
LA_ISABELA: LonLat = (-80.01, 22.94)
BANES: LonLat = (-75.72, 20.96)
ARC_CENTRE: LonLat = (-75.5, 20.5)
ARC_MILES = 500.0
MILES_PER_DEGREE = 69.0
"""A degree of latitude, in statute miles."""


def project(lon: float, lat: float) -> tuple[float, float]:
    """Map coordinates of a point."""
    return round((lon - WEST) * SCALE_X, 1), round((NORTH - lat) * SCALE_Y, 1)


def _path(points: Sequence[LonLat], close: bool = True) -> str:
    xy = [project(lon, lat) for lon, lat in points]
    head, *rest = xy
    d = f"M{head[0]},{head[1]}" + "".join(f" L{x},{y}" for x, y in rest)
    return d + (" Z" if close else "")


@dataclass(frozen=True)
class Marker:
    """A symbol on the map: ``kind`` picks its drawing; ``label`` says what it is."""

    kind: str
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Land:
    """A coastline."""

    name: str
    path: str


@dataclass(frozen=True)
class MapModel:
    """Everything the SVG template draws, and a text description of it."""

    width: int
    height: int
    land: tuple[Land, ...]
    places: tuple[Marker, ...]
    markers: tuple[Marker, ...]
    quarantine: str | None
    quarantine_label: tuple[float, float] | None
    description: tuple[str, ...] = field(default=())


def _arc(centre: LonLat, miles: float, start_deg: float, end_deg: float) -> list[LonLat]:
    lon0, lat0 = centre
    radius = miles / MILES_PER_DEGREE
    points = []
    for i in range(25):
        bearing = math.radians(start_deg + (end_deg - start_deg) * i / 24)
        lat = lat0 + radius * math.cos(bearing)
        lon = lon0 + radius * math.sin(bearing) / math.cos(math.radians(lat0))
        points.append((lon, lat))
    return points


def _icons(kind: str, count: int, start: LonLat, step: LonLat, label: str) -> list[Marker]:
    out = []
    for i in range(min(count, MAX_ICONS)):
        x, y = project(start[0] + step[0] * i, start[1] + step[1] * i)
        out.append(Marker(kind, x, y, label))
    return out


def _values(view: GameView) -> dict[str, float | int | bool]:
    return {item.name: item.value for item in view.state}


def caribbean_map(view: GameView) -> MapModel | None:
    """The map for a view of ``cuba-1962``; None for other scenarios."""
    if view.scenario != "cuba-1962":
        return None
    return draw(_values(view))


def draw(state: Mapping[str, float | int | bool]) -> MapModel:
    """The map for the visible state ``state`` (variable name to value)."""
    markers: list[Marker] = []
    said: list[str] = []

    def mark(kind: str, at: LonLat, label: str) -> None:
        x, y = project(*at)
        markers.append(Marker(kind, x, y, label))
        said.append(label)

    if "mrbm_ready" in state:
        n = int(state["mrbm_ready"])
        mark("site", SITES, f"R-12 missile sites, San Cristóbal: {n} launchers operational")
    elif "mrbm_est" in state:
        n = int(state["mrbm_est"])
        mark(
            "site", SITES, f"R-12 missile sites, San Cristóbal: {n} launchers believed operational"
        )
    if "r14_warheads_aboard" in state and int(state["r14_warheads_aboard"]) > 0:
        n = int(state["r14_warheads_aboard"])
        mark("port", LA_ISABELA, f"Aleksandrovsk at La Isabela: {n} R-14 warheads aboard")
    if state.get("us_attacked"):
        mark("strike", (SITES[0] + 0.4, SITES[1] - 0.3), "US air strikes on Cuba")
    if state.get("invasion_landed"):
        mark("landing", (MARIEL[0] + 0.9, MARIEL[1] + 0.25), "US troops ashore in Cuba")
    if int(state.get("shootdowns", 0)) > 0:
        n = int(state["shootdowns"])
        mark("shootdown", BANES, f"US aircraft shot down over Cuba: {n}")

    quarantine = quarantine_label = None
    if state.get("quarantine") or state.get("blockade_proclaimed"):
        word = "Blockade" if state.get("blockade_proclaimed") else "Quarantine"
        arc = _arc(ARC_CENTRE, ARC_MILES, -20, 120)
        quarantine = _path(arc, close=False)
        quarantine_label = project(*arc[6])
        said.append(f"{word} line in force: a 500-mile arc (drawn schematically)")

    en_route = int(state.get("ships_en_route", 0))
    if en_route:
        label = f"Soviet ships en route: {en_route}"
        markers += _icons("ship", en_route, (-66.0, 26.8), (-0.55, -0.3), label)
        said.append(label)
    back = int(state.get("ships_turned_back", 0))
    if back:
        label = f"Soviet ships stopped or turned back: {back}"
        markers += _icons("ship-back", back, (-64.8, 29.6), (-0.5, -0.12), label)
        said.append(label)
    through = int(state.get("ships_let_through", 0)) + int(state.get("ships_boarded", 0))
    if through:
        label = f"Ships let through or boarded at the line: {through}"
        markers += _icons("ship-through", through, (-72.5, 22.4), (-0.45, 0.05), label)
        said.append(label)

    if state.get("navy_hunting"):
        mark("sub", (-69.5, 24.8), "Soviet submarine contacts: the US Navy is hunting them")
    surfaced = int(state.get("subs_surfaced", 0)) + int(bool(state.get("b59_surfaced")))
    if surfaced:
        label = f"Soviet submarines forced to surface: {surfaced}"
        markers += _icons("sub-surfaced", surfaced, (-70.6, 25.6), (0.9, 0.2), label)
        said.append(label)

    places = tuple(Marker("place", *project(lon, lat), name) for name, (lon, lat) in PLACES.items())
    land = tuple(Land(name, _path(points)) for name, points in LAND.items())
    return MapModel(
        width=WIDTH,
        height=HEIGHT,
        land=land,
        places=places,
        markers=tuple(markers),
        quarantine=quarantine,
        quarantine_label=quarantine_label,
        description=tuple(said) or ("Nothing your side knows of is marked yet.",),
    )

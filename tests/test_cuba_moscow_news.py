"""What reaches Moscow from 24 October in cuba-1962 (issue 17): reports from the sea, the UN
and Cuba stop Khrushchev's wait for news, and each arrives only where the run has what it
reports."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.play.game import WAIT_FOR_NEWS, Game
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.loader import load_scenario

SU_WATCH_H = 6
"""Hours between Khrushchev's routine decisions (the scenario's su-watch): a wait stops at
the first decision after the news."""


def test_news_of_soviet_ships_stops_a_soviet_wait() -> None:
    """Khrushchev waits for news from the start: the Bucharest let through and the Marucla
    boarded each stop his wait at his next decision, told in Moscow's words (before, the
    first stop after U Thant's appeal was Castro's letter, on 27 October)."""
    game = Game.new("cuba-1962", "su", seed=0)
    ships = {"navy_let_through", "navy_board"}
    stops: dict[str, int] = {}
    while not game.finished and set(stops) != ships:
        game.choose(WAIT_FOR_NEWS)
        view = game.view()
        for e in view.events:
            if e.new and e.id in ships:
                assert any("report" in n for n in view.news), view.news
                assert e.text == game.scenario.actions[e.id].text_for("su")
                stops[e.id] = view.tick - e.tick
    assert set(stops) == ships, stops
    assert all(0 <= hours <= SU_WATCH_H for hours in stops.values()), stops


def arrivals(interventions: Sequence[str]) -> set[str]:
    """The actions whose messages reached Khrushchev in the documented run (seed 0)."""
    sc = load_scenario("cuba-1962", list(interventions))
    made = policy_set(sc)
    run = ReferenceEngine(sc).run(0, 0, made.make(), dict(made.specs))
    return {e.id for e in run.events if e.kind == "delivery" and e.actor == "su"}


@pytest.mark.parametrize(
    ("interventions", "expected", "absent"),
    [
        ([], {"un_thant_ships", "fomin_report"}, set()),
        (["blockade"], {"un_thant_ships"}, set()),
        (["airstrike"], set(), {"un_thant_ships", "fomin_report"}),
        (["do-nothing"], set(), {"un_thant_ships", "fomin_report"}),
    ],
)
def test_moscow_hears_what_the_run_has(
    interventions: list[str], expected: set[str], absent: set[str]
) -> None:
    """U Thant's message on the ships comes only with an interception line at sea and his
    appeal heard, Fomin's report only once Scali has brought him an answer."""
    got = arrivals(interventions)
    assert expected <= got, got
    assert not absent & got, got

"""Each cuba-1962 intervention moves the runs in the direction the literature supports
(docs/cuba-1962.md, "Interventions and what they change"), shown with paired runs (the same
random draws in both arms) and |z| > 3."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from brinkmanship.analysis.tally import RunSummary
from brinkmanship.scenario.loader import load_scenario
from paired import Arms

RUNS = 600
NUCLEAR = frozenset({"tactical_nuclear_use", "general_nuclear_war"})
WAR = frozenset({"conventional_war", *NUCLEAR})


@cache
def classes() -> dict[str, str]:
    sc = load_scenario("cuba-1962")
    return {o.id: o.cls.value for o in sc.outcomes.values()}


runs = Arms("cuba-1962", seed=11, n=RUNS)
paired_z = runs.paired_z


def in_class(kinds: frozenset[str]) -> Callable[[RunSummary], float]:
    return lambda r: float(classes()[r.outcome] in kinds)


def test_invasion_raises_war_and_nuclear_use() -> None:
    assert paired_z((), ("invasion",), in_class(WAR)) > 3
    assert paired_z((), ("invasion",), in_class(NUCLEAR)) > 3


def test_airstrike_and_no_arkhipov_raise_nuclear_use() -> None:
    assert paired_z((), ("airstrike",), in_class(NUCLEAR)) > 3
    assert paired_z((), ("no-arkhipov",), in_class(NUCLEAR)) > 3


def test_local_authority_matters_under_invasion() -> None:
    invaded = ("invasion",)
    assert paired_z(invaded, ("invasion", "local-authority"), in_class(NUCLEAR)) > 3


def test_the_settlement_is_still_the_modal_outcome() -> None:
    settled = sum(classes()[r.outcome] == "settlement" for r in runs(()))
    assert settled > RUNS / 2

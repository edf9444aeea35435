"""No text of a built-in scenario carries a clock time: a run's clock may differ from the
record, so the documented times live in the timeline (shown as "historically ..." where a
run differs), never in the texts a run shows."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import builtin_names, load_scenario

CLOCK = re.compile(
    r"\b\d{1,2}(:\d\d)?\s?[ap]\.m\.|\bnoon\b|\bmidnight\b|\btime assumed\b|\b\d{1,2}:\d\d\b",
    re.IGNORECASE,
)
"""A time of day written into a text: '7 p.m.', '10:15', 'noon', '(time assumed)'."""


def texts(sc: CompiledScenario) -> Iterator[tuple[str, str]]:
    """Every text a run or a screen shows, with where it comes from (a timeline entry's
    documented time is its `clock`, shown beside its text)."""
    for action in sc.actions.values():
        yield f"action {action.id}", action.text
        yield f"action {action.id} label", action.label
        for actor, text in action.told:
            yield f"action {action.id} told {actor}", text
        if action.message is not None:
            yield f"message {action.id}", action.message.text
            yield f"message {action.id} misread", action.message.misread_text or ""
    for event in sc.events.values():
        yield f"event {event.id}", event.text
        for actor, text in event.told:
            yield f"event {event.id} told {actor}", text
    for outcome in sc.outcomes.values():
        yield f"outcome {outcome.id}", outcome.text or ""
    for intervention in sc.interventions.values():
        yield f"intervention {intervention.id} label", intervention.label
        yield f"intervention {intervention.id}", intervention.description
    for entry in sc.timeline:
        yield f"timeline {entry.date}", entry.text
    if sc.presentation.map is not None:
        yield "map title", sc.presentation.map.title
        for layer in sc.presentation.map.layers:
            yield f"map layer {layer.id}", f"{layer.label} {layer.tag}"


def reasons(sc: CompiledScenario) -> Iterator[tuple[str, str]]:
    """Every reason a player reads beside a choice: members' stances, policies' rules and
    script steps, organisations' routines."""
    for actor in sc.actors.values():
        for member in actor.members:
            for rule in member.stance:
                yield f"stance {member.id} {rule.index}", rule.why
        for policy in actor.policies.values():
            for rule in policy.rules:
                yield f"policy {actor.id}.{policy.name} rule {rule.index}", rule.why
            for step in policy.script:
                yield f"policy {actor.id}.{policy.name} step {step.index}", step.why
        if actor.repertoire is not None:
            for rule in actor.repertoire.routines:
                yield f"routine {actor.id} {rule.index}", rule.why


MODELLER = re.compile(
    r"\bin this run\b|\bfact sheet\b|\bmodel(led|ling)?\b|\bsimulat(ion|or)\b"
    r"|\bthe game\b|\bat every (US |Soviet |\w+ )?decision\b|\bfrom now on\b"
    r"|\((R|C|F|L)\d+[a-z]?(, ?(R|C|F|L)\d+[a-z]?)*\)",
    re.IGNORECASE,
)
"""The modeller's words in a player's text: the run, the model, the fact sheet, a source id
(sources belong in `sources`), the decisions of the game rather than the world."""


@pytest.mark.parametrize("name", builtin_names())
def test_no_text_carries_a_clock_time(name: str) -> None:
    found = [
        f"{where}: {m.group(0)!r}"
        for where, text in texts(load_scenario(name))
        if (m := CLOCK.search(text))
    ]
    assert not found, found


@pytest.mark.parametrize("name", builtin_names())
def test_every_intervention_has_a_label(name: str) -> None:
    """A player picks an intervention by its label (the id is never shown)."""
    sc = load_scenario(name)
    assert sc.interventions
    unlabelled = [i.id for i in sc.interventions.values() if not i.label]
    assert not unlabelled, unlabelled
    for i in sc.interventions.values():
        assert i.title == i.label != i.id and len(i.label) <= 60, i.label


def test_the_pattern_finds_clock_times() -> None:
    for text in ("7 p.m.: the address", "at 10:15 a.m.", "placed at noon", "(time assumed)"):
        assert CLOCK.search(text), text
    assert not CLOCK.search("on 22 October 1962, 1-megaton warheads, 6,000-8,000 troops")


def test_a_run_off_the_record_says_when_it_happened_historically() -> None:
    sc = load_scenario("cuba-1962")
    entry = next(e for e in sc.timeline if e.expect == "us_address")
    assert sc.historically("us_address", entry.tick) is None
    assert sc.historically("us_address", entry.tick + 1) is None  # within its tolerance
    note = sc.historically("us_address", entry.tick + 30)
    assert note == "historically 7 p.m., 22 October 1962"
    late = next(e for e in sc.timeline if e.expect == "su_r14_home")
    assert sc.historically("su_r14_home", late.tick + 48) == "historically 23 October 1962"


@pytest.mark.parametrize("name", builtin_names())
def test_player_texts_speak_of_the_world_not_the_model(name: str) -> None:
    sc = load_scenario(name)
    found = [
        f"{where}: {m.group(0)!r}"
        for where, text in (*texts(sc), *reasons(sc))
        if (m := MODELLER.search(text))
    ]
    assert not found, found


def test_the_pattern_finds_the_modellers_words() -> None:
    for text in (
        "In this run Kennedy accepts",
        "a modelled step; the fact sheet gives no date",
        "here the day is a model draw",
        "From now on the ExComm is in session at every US decision.",
        "Feklisov acted on his own (F4).",
    ):
        assert MODELLER.search(text), text
    assert not MODELLER.search("The ExComm meets. Soviet forces raise their readiness (DEFCON 3).")

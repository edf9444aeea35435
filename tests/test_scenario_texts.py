"""No text of a built-in scenario carries a clock time: a run's clock may differ from the
record, so the documented times live in the timeline (shown as "historically ..." where a
run differs), never in the texts a run shows. And the screens a player reads, played through
(the terminal, its debrief, the web pages), show no modeller's words, internal notes,
ISO times or clumsy joins (:data:`PLAIN`)."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import BrinkError
from brinkmanship.play.debrief import build_debrief, debrief_markdown
from brinkmanship.play.game import Game
from brinkmanship.play.terminal import ReadLine, TerminalGame, render_debrief, render_view
from brinkmanship.policies.rules import data_policy
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import builtin_names, load_scenario
from brinkmanship.web import create_app
from brinkmanship.web.screen import playable_sides
from brinkmanship.wording import (
    ASSUMPTION_TITLE,
    attributed,
    footnotes,
    names_its_subject,
    noted,
    orders_left,
    source_title,
)

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
    for side in sc.actors.values():
        if side.holder == side.id:  # a side a player can take, described on the form
            yield f"actor {side.id}", side.description
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


DATE = re.compile(
    r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
    r"|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}\b"
)
"""A day of the year written into a text: '22 Oct', '20 October', 'October 22'."""


def labels(sc: CompiledScenario) -> Iterator[tuple[str, str]]:
    """The names a screen shows for a state variable or a choice, whatever the run's day."""
    for var in sc.variables.values():
        yield f"variable {var.name}", var.label
    for action in sc.actions.values():
        yield f"action {action.id}", action.label


@pytest.mark.parametrize("name", builtin_names())
def test_no_label_carries_a_date_or_a_clock_time(name: str) -> None:
    """A label is read on every day of a run: 'Quarantine chosen (secret until 22 Oct)'
    shown on 24 October, or 'Kennedy's letter of 22 October' sent on the 21st, contradicts
    it. A label names a thing by what it is; its documented day belongs to the timeline."""
    found = [
        f"{where}: {m.group(0)!r}"
        for where, text in labels(load_scenario(name))
        if (m := DATE.search(text) or CLOCK.search(text))
    ]
    assert not found, found


def test_the_pattern_finds_dates() -> None:
    for text in ("secret until 22 Oct", "Kennedy's letter of 25 October", "on October 22"):
        assert DATE.search(text), text
    for text in ("Local commanders may use", "1 = September 1983", "learned of them in 1992"):
        assert not DATE.search(text), text


@pytest.mark.parametrize("name", builtin_names())
def test_no_label_states_a_value_of_its_own(name: str) -> None:
    """A quantity's label names no amount: the screen shows its value beside it, which can
    differ ("Armed Cubans (true, about 270,000)" on Castro's screen)."""
    sc = load_scenario(name)
    found = [(k, v.label) for k, v in sc.variables.items() if re.search(r"\d,\d{3}", v.label)]
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


# ------------------------------------------------------------ the screens a player reads

PLAIN: dict[str, re.Pattern[str]] = {
    "a modeller's scale": re.compile(r"\bmodel index\b", re.IGNORECASE),
    "the modelling assumptions' source id": re.compile(r"\bMODEL\b"),
    "a source id": re.compile(r"\b(?:[A-Z]\d{1,3}[a-z]?|FS)\b"),
    "the modeller's words": re.compile(r"\baudience costs\b|\bmodell?ed\b", re.IGNORECASE),
    "a note to the modeller": re.compile(r"\bday only\b|\bnot found\b|⚠", re.IGNORECASE),
    "a local address": re.compile(r"127\.0\.0\.1|\blocalhost\b"),
    "an ISO date-time": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d"),
    "the model's hour count": re.compile(r"\bhour \d+\b"),
    "brackets after brackets": re.compile(r"\) \("),
    "a bracket inside a bracket": re.compile(r"\)\)"),
    "a possessive after brackets": re.compile(r"\)'s\b"),
}
"""What no screen a player reads shows (the terminal's, its debrief, the web game pages and
debrief), by what it is; with :func:`repeated_subjects`, the one statement of these rules
for every screen scanned here."""


def repeated_subjects(text: str) -> list[str]:
    """Every "A: B" where B opens by naming A again ("The air strike: The US air strike on
    the missile sites", "President Kennedy: President Kennedy receives …"), by the rule
    that composes such lines (:func:`brinkmanship.wording.names_its_subject`); A and B end
    where a cell, a line, a citation or a sentence does."""
    found = []
    for m in re.finditer(r": ", text):
        head = BOUNDARY.split(text[max(0, m.start() - 80) : m.start()])[-1].strip()
        tail = BOUNDARY.split(text[m.end() : m.end() + 80])[0]
        if head and names_its_subject(head, tail):
            found.append(f"{head}: {tail}")
    return found


BOUNDARY = re.compile(r"[│\n\[\]]|\. |\s{2,}")
"""Where a part of a screen's text ends: a table's cell or a line, a citation, a sentence,
the gap between a page's elements."""


def unplain(text: str) -> list[str]:
    """Each breach of :data:`PLAIN` and each repeated subject in a screen's text, once."""
    found = [
        f"{why}: …{text[max(0, m.start() - 60) : m.end() + 40]}…"
        for why, pattern in PLAIN.items()
        for m in pattern.finditer(text)
    ]
    found += [f"a repeated subject: {r}" for r in repeated_subjects(text)]
    return sorted(set(found))


def test_the_scan_finds_what_players_should_not_read() -> None:
    for text in (
        "Tension (model index 0-10)",
        "[R3, R22, MODEL]",
        "Sources: R29, C11",
        "[L2] (F4)",
        "Source: R70b; FS",
        "US public commitment (audience costs)",
        "Other Presidium members (modelled as one voice)",
        "Marucla boarded (day only).",
        "send time not found",
        "nsarchive.gwu.edu/media/29201 ⚠ title not retained",
        "http://127.0.0.1:8000/v1",
        "(sent 1962-10-22T19:00-04:00)",
        "the quarantine plan, on its timetable (hour 155: 22 Oct, evening)",
        "by letter (cabled through the embassies) (sent 10 a.m., 26 October)",
        "United Nations (U Thant, Security Council)'s statement",
        "What caused it: The air strike: The US air strike on the missile sites.",
        "10 p.m. President Kennedy: President Kennedy receives an offer",
    ):
        assert unplain(text), text
    assert not unplain(
        "What caused it: The US air strike on the missile sites. Score for your side: 8 (on "
        "this scenario's scale). 10 p.m. Khrushchev: The ships carrying R-14 missiles are "
        "ordered home. Decide on an air strike (launched later; secret). [3, 12] A U-2 is lost. "
        "Sources: Hoffman, The Dead Hand, ch. 2"
    )


def _terminal_keys(game: Game, out: io.StringIO, rng: random.Random, style: str) -> ReadLine:
    """A player at the terminal: looks at the state, the briefing and the letters once, then
    answers each decision by ``style``: "history" (the side's documented choice, by its
    number), "random" (any number on the screen, sometimes through the letter menus) or
    "wait" (Enter)."""
    policies = game.scenario.actors[game.record.side].policies
    documented = policies.get("historical")
    policy = data_policy(documented) if documented is not None else None
    asked, seen = ["s", "b", "i"], [0]

    def answer() -> str:
        text = out.getvalue()[seen[0] :]
        seen[0] += len(text)
        prompt = text.rstrip("\n").rsplit("\n", 1)[-1]
        if not prompt.startswith("Your choice"):
            allowed = re.search(r"\[([\d, -]+)\]: $", prompt)
            numbers: list[str] = re.findall(r"\d+", allowed.group(1) if allowed else "0")
            return rng.choice(numbers[1:] or numbers) + "\n"
        if asked:
            return asked.pop(0) + "\n"
        if style == "history" and policy is not None and game.request is not None:
            action = policy.decide(game.request.observation, game.request.legal).action
            return f"{next(c.number for c in game.view().choices if c.id == action)}\n"
        numbers = re.findall(r"^│ +(\d+) │", text, re.MULTILINE)
        if style == "wait" or not numbers:
            return "\n"
        return (
            "l" if rng.random() < 0.2 and "Write a letter" in text else rng.choice(numbers)
        ) + "\n"

    return answer


TERMINAL_GAMES = [
    (name, side.value, style, seed, opponent)
    for name in builtin_names()
    for side in playable_sides(load_scenario(name))
    for style, seed, opponent in (("history", 0, None), ("random", 1, None), ("wait", 2, "hawk"))
]
"""Every side of every built-in scenario, played three ways at the terminal: along the
record, at random and waiting (against hawks where the side has principal opponents)."""


@pytest.mark.parametrize(("name", "side", "style", "seed", "opponent"), TERMINAL_GAMES)
def test_terminal_screens_and_debrief_are_plain(
    name: str, side: str, style: str, seed: int, opponent: str | None, tmp_path: Path
) -> None:
    try:
        game = Game.new(name, side, seed=seed, opponent=opponent)
    except BrinkError:  # no principal opponent for a hawk to play
        game = Game.new(name, side, seed=seed)
    out = io.StringIO()
    console = Console(file=out, width=400, highlight=False, markup=False)
    debrief = tmp_path / "debrief.md"
    keys = _terminal_keys(game, out, random.Random(seed), style)
    TerminalGame(console, keys, None, echo=True, debrief=debrief).run(game)
    assert game.finished and "Debrief" in out.getvalue()
    assert not unplain(out.getvalue()), unplain(out.getvalue())[:8]
    assert not unplain(debrief.read_text()), unplain(debrief.read_text())[:8]


def test_the_screens_of_a_game_of_several_seats_are_plain() -> None:
    """Kennedy, Khrushchev and Castro played by people at once, each reading their own
    screens and debrief."""
    game = Game.new("cuba-1962", "us", seats=["su", "cuba"], seed=3)
    rng = random.Random(3)
    out = io.StringIO()
    console = Console(file=out, width=400, highlight=False, markup=False)
    for _ in range(3000):
        if game.finished:
            break
        for seat in game.pending:
            view = game.view(seat)
            console.print(render_view(view, full_state=True))
            game.choose(rng.choice([c.id for c in view.choices]), seat=seat, at_tick=game.tick)
    assert game.finished
    for seat in game.seats:
        console.print(render_debrief(build_debrief(game, seat)))
        out.write(debrief_markdown(build_debrief(game, seat)))
    assert not unplain(out.getvalue()), unplain(out.getvalue())[:8]


def _page_text(html: str) -> str:
    """A page's text as shown: scripts and styles out, tags dropped, entities decoded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path_factory.mktemp("web") / "games.sqlite3")) as client:
        yield client


def test_the_web_forms_are_plain(web: TestClient) -> None:
    """The pages before a game: the sides, opponents and counterfactuals offered."""
    for url in ("/", "/new", "/classes/new"):
        found = unplain(_page_text(web.get(url).text))
        assert not found, (url, found[:8])


@pytest.mark.parametrize("name", builtin_names())
def test_web_game_pages_and_debrief_are_plain(web: TestClient, name: str) -> None:
    """Every side in the browser: each page of the game (random choices, seed 0) and the
    debrief."""
    for n, side in enumerate(playable_sides(load_scenario(name))):
        rng = random.Random(n)
        r = web.post("/api/games", json={"scenario": name, "side": side.value, "seed": n})
        game_id, token = r.json()["id"], r.json()["token"]
        pages = [web.get(f"/games/{game_id}?token={token}").text]
        v = web.get(f"/api/games/{game_id}").json()
        for _ in range(600):
            if v["finished"]:
                break
            action = rng.choice([c["id"] for c in v["choices"]])
            v = web.post(
                f"/api/games/{game_id}/choices",
                json={"action": action, "at_tick": v["tick"]},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            pages.append(web.get(f"/games/{game_id}").text)
        assert v["finished"], (name, side.value)
        pages.append(web.get(f"/games/{game_id}/debrief").text)
        found = unplain("\n".join(_page_text(p) for p in pages))
        assert not found, (side.value, found[:8])


def test_the_joins_a_screen_uses() -> None:
    assert noted("Decide on an air strike (launched later)", "secret") == (
        "Decide on an air strike (launched later; secret)"
    )
    assert noted("Offer a guarantee (letter)", "letter") == "Offer a guarantee (letter)"
    assert noted("Quarantine", "secret") == "Quarantine (secret)"
    assert attributed("President Kennedy", "President Kennedy receives an offer") == (
        "President Kennedy receives an offer"
    )
    assert attributed("East patrol boat", "The patrol boat breaks off.", "event") == (
        "The patrol boat breaks off."
    )
    assert attributed("Khrushchev", "The ships are ordered home.") == (
        "Khrushchev: The ships are ordered home."
    )
    assert attributed("Khrushchev", "An offer from Khrushchev …", "delivery") == (
        "An offer from Khrushchev …"
    )
    # a role in brackets, its name in another cell, names nobody: "Wait" is not a repeat
    assert not names_its_subject("(Chairman of the Joint Chiefs of Staff)", "Wait — wary")


def test_sources_are_cited_by_number_or_title_and_waits_counted() -> None:
    listed = ["R3", "R29", "assumption"]
    assert footnotes(["R29", "R3", "X9"], listed) == " [1, 2]"
    assert footnotes(["X9"], listed) == ""
    titles = {"R29": "Marc Ambinder, The Brink (2018)"}
    assert source_title("R29", titles) == "Marc Ambinder, The Brink (2018)"
    assert source_title("MODEL", titles) == source_title("assumption", titles) == ASSUMPTION_TITLE
    assert orders_left([("Wait", True), ("Quarantine", False), ("Wait", True)]) == (
        "Quarantine; 2 waits"
    )
    assert orders_left([("Wait", True)]) == "a wait"


@pytest.mark.parametrize("name", builtin_names())
def test_every_text_a_screen_can_show_is_plain(name: str) -> None:
    """The scan's rules hold for every text of the scenario, also those no game above
    reached (an outcome's text, a rare event's)."""
    sc = load_scenario(name)
    found = [
        f"{where}: {hit}" for where, text in (*texts(sc), *reasons(sc)) for hit in unplain(text)
    ]
    assert not found, found


def scheduled(sc: CompiledScenario) -> dict[str, int]:
    """When each scheduled event happens and each step of a default policy's script is due."""
    due = {e.id: e.at_tick for e in sc.events.values() if e.at_tick is not None}
    for actor in sc.actors.values():
        policy = actor.policies.get(actor.default_policy or "")
        for step in policy.script if policy is not None else ():
            due.setdefault(step.do, step.at_tick)
    return due


@pytest.mark.parametrize("name", builtin_names())
def test_a_dated_entry_stands_where_the_history_plays_it(name: str) -> None:
    """A timeline entry that the sources date to the day only (no documented clock) stands
    at the hour the scenario plays it: the proclamation entry at noon while the historical
    policy signs it at 7 p.m. shows a run that follows the record as hours off it. An entry
    with a documented time (its `clock`) keeps that time."""
    sc = load_scenario(name)
    due = scheduled(sc)
    found = [
        f"{entry.expect}: entry {sc.iso(entry.tick)}, played {sc.iso(due[entry.expect])}"
        for entry in sc.timeline
        if entry.expect in due and not entry.clock and entry.tick != due[entry.expect]
    ]
    assert not found, found


def test_no_choice_on_the_first_day_names_a_later_day() -> None:
    """The choices offered to Kennedy on 16 October name no later day of the crisis (the
    option to live with the missiles was offered as 'as Bundy floated on 18 October')."""
    sc = load_scenario("cuba-1962")
    engine = ReferenceEngine(sc)
    st = engine.start(0, 0)
    later = re.compile(r"\b(1[7-9]|2\d|3[01]) October\b")
    offered = engine.legal_actions(st, "us").actions
    assert any(a.id == "us_accept_missiles" for a in offered)
    for action in offered:
        assert not later.search(f"{action.label} {action.text}"), action


@pytest.mark.parametrize("name", builtin_names())
def test_the_teacher_s_dashboard_is_plain(web: TestClient, name: str) -> None:
    """A class of three games, one played to its end (random choices, seat 0) and two
    waiting for their students: the teacher's page and the texts of its API that a person
    reads (the class's name, the outcomes, the documented path)."""
    sc = load_scenario(name)
    seat = playable_sides(sc)[0].value
    made = web.post(
        "/api/classes", json={"scenario": name, "games": 3, "seats": {seat: "student"}}
    ).json()
    game_id, link = made["games"][0]["id"], made["games"][0]["seats"][seat]
    player = {"Authorization": f"Bearer {link.split('token=', 1)[1]}"}
    rng = random.Random(0)
    v = web.get(f"/api/games/{game_id}", headers=player).json()
    for _ in range(600):
        if v["finished"]:
            break
        action = rng.choice([c["id"] for c in v["choices"]])
        body = {"action": action, "at_tick": v["tick"]}
        web.post(f"/api/games/{game_id}/choices", json=body, headers=player)
        v = web.get(f"/api/games/{game_id}", headers=player).json()
    assert v["finished"]
    teacher = {"Authorization": f"Bearer {made['teacher_token']}"}
    board = web.get(f"/api/classes/{made['id']}", headers=teacher).json()
    assert board["finished"] >= 1
    read = [
        board["title"],
        *(g["outcome"] for g in board["games"]),
        *(o["label"] for o in board["outcomes"]),
        *(f"{e['date']}, {e['clock']}: {e['text']}" for e in board["documented"]),
    ]
    page = web.get(f"/classes/{made['id']}", headers=teacher).text
    found = unplain("\n".join([_page_text(page), *read]))
    assert not found, found[:8]

"""The pace and the plain text of a game: waiting for news, fixed choice numbers, counsel
linked to the menu, endings explained, and screens free of ids and ISO times."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console

from brinkmanship.engine.observation import WAIT
from brinkmanship.errors import IllegalChoiceError, StaleChoiceError
from brinkmanship.play.debrief import build_debrief, debrief_markdown, timeline
from brinkmanship.play.game import WAIT_FOR_NEWS, Game
from brinkmanship.play.terminal import TerminalGame, render_debrief
from brinkmanship.play.view import GameView, Glance, news
from brinkmanship.policies.rules import data_policy
from historical_path import offering
from test_scenario_texts import PLAIN

PACE_LIMIT = 18
"""Screens a player answers to follow the documented US path to the settlement, reading the
terminal (measured: 18 on seed 0 since Stevenson's photographs wait for the Security
Council's session, which the player cannot order ahead; 17 before, where alert levels no
longer stop a wait; 20 when they did; 28 with one order and waits for news, 63 with single
waits). The documented path has
15 choices of its own."""

KHRUSHCHEV_LIMIT = 17
"""The same for the documented Soviet path, which reaches the historical policy's own outcome
on each of :data:`SOVIET_SEEDS` (measured: 16, 16, 17, 17 and 16 screens, for 11 or 12
documented choices). It was 11 when nothing reached Moscow between U Thant's appeal and
Castro's letter: the reader's first wait after 25 October stopped only on 27 October, the
refusal of the quarantine, the acceptance of U Thant's appeal and the first letter went out
together then, and on seed 4 the crisis ended in the public trade. Now the reports from the
sea (the line in force, the Bucharest, the Marucla, a Foxtrot forced up, B-59), the UN
(Zorin confronted, U Thant's further message), Cuba (the U-2 shot down) and Fomin's report
each stop a wait: more screens, each with news, and the letters go out on their days."""

SOVIET_SEEDS = (0, 1, 2, 3, 4)
"""Seeds where the reader reaches the historical policy's outcome: a settlement, except on
seed 3, where the historical policy itself ends in a limited strike (a second U-2 lost)."""

ISO = PLAIN["an ISO date-time"]
ROW = re.compile(r"^│ +(\d+) │ (.+?) +│")
LINKED = re.compile(r"\[(\d+)\] (.+?)(?: — | +│)")
JOINED = re.compile(r"; (?:secret|public|under Write)[^();]*(?=\)$)")
NOTE = re.compile(r" \((?:secret|public|under Write)[^()]*\)$")


def unnoted(label: str) -> str:
    """A choice's label without the screen's note after it: "(secret)", or "; under Write a
    letter…" inside the label's own brackets (which may open with "secret" themselves)."""
    joined = JOINED.sub("", label)
    return joined if joined != label else NOTE.sub("", label)


LETTER = re.compile(r"^│ +(\d+) │ (.+?)(?:: (?:to |you |in reply)| +│)", re.MULTILINE)
"""A letter's row among the terms: its number and name (then whom it is to, unless the
name says so, and its terms)."""
LEFT = re.compile(r"Not carried out: (.+?) \(to give them again")


def documented(seed: int, side: str = "us") -> tuple[list[str], dict[str, int]]:
    """The historical policy's choices for a side, in order, and the tick of each."""
    order, due, _ = played_history(seed, side)
    return order, due


def documented_outcome(seed: int, side: str) -> str:
    """The outcome the side's historical policy reaches on ``seed``."""
    return played_history(seed, side)[2]


def played_history(seed: int, side: str) -> tuple[list[str], dict[str, int], str]:
    """The side's historical policy played through a game: its choices in order, the tick
    of each, and the outcome."""
    game = Game.new("cuba-1962", side, seed=seed)
    policy = data_policy(game.scenario.actors[side].policies["historical"])
    order: list[str] = []
    due: dict[str, int] = {}
    while not game.finished:
        assert game.request is not None
        action = policy.decide(game.request.observation, game.request.legal).action
        if action != WAIT:
            order.append(action)
            due.setdefault(action, game.tick)
        game.choose(action)
    assert game.outcome is not None
    return order, due, game.outcome.id


def history_book(seed: int, side: str = "us") -> list[tuple[str, datetime]]:
    """What a player who read the history knows: the side's documented choices by name, in
    order, each with the time it was made."""
    order, due = documented(seed, side)
    sc = Game.new("cuba-1962", side, seed=seed).scenario
    return [(sc.actions[a].label, clock(sc.iso(due[a]))) for a in order]


def clock(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=None)


def screen_clock(day: str, hour: str) -> datetime:
    """``Sat 27 Oct 1962`` and ``2 p.m.`` (or ``noon``, ``10:30 a.m.``) as a datetime."""
    date = datetime.strptime(day, "%a %d %b %Y")
    if hour in ("noon", "midnight"):
        return date.replace(hour=12 if hour == "noon" else 0)
    hm, half = hour.split(" ")
    h, _, m = hm.partition(":")
    return date.replace(hour=int(h) % 12 + (12 if half == "p.m." else 0), minute=int(m or 0))


class Reader:
    """A player at the terminal who knows the documented choices by name and time, and
    reads every screen: the menu's rows and the advisers' linked numbers (opening every
    kind of letter to find a letter's number), never an id. At each decision they order,
    in turn, the next documented choices that are on offer and either recommended by an
    adviser or due by the clock, then wait until something happens; orders a screen reports
    as not carried out are ordered again."""

    def __init__(self, out: io.StringIO, book: list[tuple[str, datetime]], name: str) -> None:
        self.out, self.seen = out, 0
        self.title = re.compile(rf"╭─+ (\w{{3}} \d+ \w{{3}} \d{{4}}), (.+?) — {re.escape(name)} ─")
        """A decision screen's title: its date and time, and the side's name."""
        self.book = book
        self.ordered: list[tuple[str, datetime]] = []
        self.decisions = 0
        self.pending = ["s", "b"]  # look at the full state and the briefing once
        self.screen = ""
        self.offered: dict[str, int] = {}
        self.browsed = False
        self.kinds = self.channels = 0

    def __call__(self) -> str:
        text = self.out.getvalue()[self.seen :]
        self.seen += len(text)
        if self.title.search(text):
            self.new_screen(text)
        if self.pending:
            return self.pending.pop(0) + "\n"
        prompt = text.rstrip("\n").rsplit("\n", 1)[-1]
        if prompt.startswith("Your choice"):
            return self.decide() + "\n"
        return self.letter_menu(prompt, text) + "\n"

    def new_screen(self, text: str) -> None:
        self.screen, self.browsed, self.offered = text, False, {}
        for line in text.splitlines():
            if (row := ROW.match(line)) is not None:
                self.offered[unnoted(row.group(2))] = int(row.group(1))
        for number, label in LINKED.findall(self.advice()):
            self.offered[unnoted(label)] = int(number)
        if (left := LEFT.search(text)) is not None:
            again = set(re.findall(r"\[\d+\] ([^;]+)", left.group(1)))
            self.book[:0] = [entry for entry in self.ordered if entry[0] in again]
        self.ordered = []

    def advice(self) -> str:
        """The advisers' table of the screen."""
        return self.screen.partition("Your advisers")[2].partition("Your choices")[0]

    def decide(self) -> str:
        title = self.title.search(self.screen)
        assert title is not None, "a decision screen has a title"
        now = screen_clock(*title.groups())
        advised = {unnoted(label) for _, label in LINKED.findall(self.advice())}
        wanted = self.book[0][0] if self.book else None
        letters = re.search(r"│ +l │ Write a letter…", self.screen) is not None
        if wanted is not None and wanted not in self.offered and letters and not self.browsed:
            self.browsed, self.kinds = True, 0
            return "l"
        orders = []
        while self.book and self.book[0][0] in self.offered:
            label, due = self.book[0]
            if label not in advised and now < due:
                break
            orders.append(str(self.offered[label]))
            self.ordered.append(self.book.pop(0))
        self.decisions += 1
        return " ".join([*orders, "2"])

    def letter_menu(self, prompt: str, text: str) -> str:
        """Open every kind and channel of letter once, noting each letter's number, then
        go back to the choices."""
        for number, label in LETTER.findall(text):
            self.offered[label] = int(number)
        top = int(re.findall(r"\d+", prompt.rpartition("[")[2])[-1])
        if prompt.startswith("Kind") and self.kinds < top:
            self.kinds, self.channels = self.kinds + 1, 0
            return str(self.kinds)
        if prompt.startswith("Channel") and self.channels < top:
            self.channels += 1
            return str(self.channels)
        return "0"


def test_the_documented_us_path_takes_few_decisions(played: Played) -> None:
    game, screens, _, reader = played
    assert game.outcome is not None and game.outcome.id == "settlement"
    assert not reader.book, "every documented choice was made"
    assert reader.decisions == len(reader.title.findall(screens)), "one decision per screen"
    assert reader.decisions <= PACE_LIMIT
    assert len(game.record.moves) > 2 * reader.decisions, "the record holds every single wait"
    assert "Your orders:" in screens


def test_waiting_for_news_stops_where_something_is_new_and_replays() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    game.choose("us_convene_excomm")
    start = game.tick
    game.choose(WAIT_FOR_NEWS)
    view = game.view()
    assert view.tick > start + 1 and view.news, "it skipped quiet decisions and says why"
    assert {m.action for m in game.record.moves[1:]} == {WAIT}
    again = Game.from_record(game.record)
    assert again.tick == game.tick and again.view().choices == view.choices


def planned_to(tick: int, screens: list[GameView] | None = None) -> Game:
    """A game on seed 0 where the documented choices are each ordered as soon as they are
    offered and recommended or due, each time followed by a wait for news, until ``tick``
    (each decision's view added to ``screens``)."""
    game = Game.new("cuba-1962", "us", seed=0)
    order, due = documented(0)
    while game.tick < tick:
        view = game.view()
        if screens is not None:
            screens.append(view)
        legal = {c.id for c in view.choices}
        advised = {c.action for c in view.counsel if not c.abstains}
        plan = []
        while order and order[0] in legal and (order[0] in advised or view.tick >= due[order[0]]):
            plan.append(order.pop(0))
        game.carry_out([*plan, WAIT_FOR_NEWS])
    return game


def test_an_alert_level_moving_stops_no_wait_but_is_shown() -> None:
    """On the documented path Kennedy waits through 22-24 October while US forces go to
    DEFCON 3, Soviet forces raise their readiness and Strategic Air Command goes to DEFCON 2:
    no wait stops for an alert level, and each move is listed among what changed on the
    screen where the wait stops."""
    screens: list[GameView] = []
    game = planned_to(210, screens)
    gauges = {g.name: g.label for g in game.scenario.presentation.gauges}
    shown = {c.name for view in [*screens, game.view()] for c in view.changes}
    for view in screens[1:]:
        assert view.news, "a wait stops only on something new"
        assert not [n for n in view.news if any(label in n for label in gauges.values())]
    start = {a.name: a.value for a in screens[0].alerts}
    moved = {a.name for a in game.view().alerts if a.value != start[a.name]}
    assert moved == set(gauges) and moved <= shown


def test_counsel_is_news_only_where_it_gives_the_side_something_new_to_do() -> None:
    before = Glance(
        inbox=frozenset(),
        legal=frozenset({WAIT, "a", "b"}),
        counsel=frozenset({"b"}),
        state=(),
        labels=(("a", "A"), ("b", "B")),
    )

    def advised(*actions: str) -> Glance:
        return replace(before, counsel=frozenset(actions))

    changed = ["your advisers' counsel changed"]
    assert news(before, advised("a")) == changed
    assert news(before, advised("a", "b"), ["b", WAIT_FOR_NEWS]) == changed
    assert news(before, advised("b")) == [], "the same advice, however worded"
    assert news(before, advised("a"), ["a", WAIT_FOR_NEWS]) == [], "advice to do what is ordered"
    assert news(before, advised(WAIT), [WAIT_FOR_NEWS]) == [], "advice to wait, while waiting"
    assert news(before, advised(WAIT), ["a"]) == changed, "advice to wait instead of an order"
    assert news(before, advised("c")) == [], "advice for a choice not on offer"


def test_several_orders_run_one_per_decision_and_stop_on_news() -> None:
    game = planned_to(252)
    assert game.tick == 252
    moves = len(game.record.moves)
    orders = ["us_scali_reply", "us_order_airstrike", WAIT_FOR_NEWS]
    game.carry_out(orders, at_tick=252)
    view = game.view()
    assert view.tick == 253 and view.news, "a message came: the orders stopped there"
    assert view.plan is not None and view.plan.stopped
    assert [o.id for o in view.plan.orders] == orders
    assert [o.time is not None for o in view.plan.orders] == [True, False, False]
    numbers = {c.id: c.number for c in view.choices}
    assert view.plan.orders[1].number == numbers["us_order_airstrike"], "the same number as before"
    assert [m.action for m in game.record.moves[moves:]] == ["us_scali_reply"]
    again = Game.from_record(game.record)
    assert again.tick == game.tick and again.view().choices == view.choices
    game.carry_out(["us_draft_reply", WAIT_FOR_NEWS])
    view = game.view()
    assert view.plan is not None and not view.plan.stopped
    assert all(o.time is not None for o in view.plan.orders)
    assert view.news, "the wait after the orders stopped on something new"
    made = [m.action for m in game.record.moves[moves + 1 :]]
    assert made[:1] == ["us_draft_reply"] and set(made[1:]) == {WAIT}


@pytest.mark.parametrize(
    ("orders", "error"),
    [
        ([], IllegalChoiceError),
        ([WAIT_FOR_NEWS, "us_convene_excomm"], IllegalChoiceError),
        (["us_convene_excomm", "us_hold_fire"], IllegalChoiceError),
        (["us_convene_excomm"] * 7, IllegalChoiceError),
    ],
)
def test_a_bad_list_of_orders_changes_nothing(orders: list[str], error: type[Exception]) -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    view = game.view()
    with pytest.raises(error):
        game.carry_out(orders)
    with pytest.raises(StaleChoiceError):
        game.carry_out(["us_convene_excomm"], at_tick=view.tick + 1)
    assert game.record.moves == [] and game.view() == view


def test_what_changed_is_listed_against_the_previous_decision() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    before = {i.name: i.value for i in game.view().state}
    for _ in range(2):  # a President who only waits meets the NSC on 20 October, then the end
        game.choose(WAIT_FOR_NEWS)
    view = game.view()
    now = {i.name: i.value for i in view.state}
    assert view.changes, "some estimates move within days"
    for change in view.changes:
        assert change.before != change.after and change.name in now
    assert not view.briefing or all(e.tick == 0 for e in view.briefing)
    assert before != now


def test_choice_numbers_stay_fixed_and_counsel_points_at_them() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    policy = data_policy(game.scenario.actors["us"].policies["historical"])
    numbers: dict[str, int] = {}
    linked = 0
    while not game.finished:
        view = game.view()
        mine = {c.id: c.number for c in view.choices}
        assert len(set(mine.values())) == len(mine), "one number per choice"
        for action, number in mine.items():
            assert numbers.setdefault(action, number) == number, f"{action} changed number"
        for advice in view.counsel:
            if advice.action in mine and not advice.abstains:
                assert advice.number == mine[advice.action]
                linked += 1
                letter = next(c for c in view.choices if c.id == advice.action)
                assert bool(advice.where) == (letter.letter is not None and not letter.effects)
        assert game.request is not None
        game.choose(policy.decide(game.request.observation, game.request.legal).action)
    assert linked > 20


def test_an_ending_names_its_cause_and_the_score_scale(played: Played) -> None:
    outcome = played[0].view().outcome
    assert outcome is not None and outcome.cause
    assert outcome.worst is not None and outcome.best is not None
    assert outcome.utility is not None and outcome.worst <= outcome.utility <= outcome.best
    assert {u.actor for u in outcome.utilities} >= {"us", "su"}


def test_a_war_ending_shows_the_rule_that_decided_it() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    while not game.finished:
        legal = {c.id for c in game.view().choices}
        pick = next(
            (a for a in ("us_choose_airstrike", "us_execute_chosen_strike") if a in legal), None
        )
        game.choose(pick or WAIT_FOR_NEWS)
    outcome = game.view().outcome
    assert outcome is not None
    rule = game.scenario.outcomes[outcome.id].when
    reads = rule is not None and any(n in game.scenario.parameters for n in rule.expression.names)
    assert bool(outcome.rule) == reads
    assert outcome.cause or outcome.rule
    for name in rule.expression.names if rule is not None else ():
        p = game.scenario.parameters.get(name)
        if p is not None and p.description and p.unit:
            # the value in its unit, with the range the sources allow; never a bare number
            assert any(f"here {p.value:,g} {p.unit}; the sources allow" in r for r in outcome.rule)
    # one sentence: the description, then the value (not "…invasion). (here 240 hours…)")
    assert not [r for r in outcome.rule if "). (" in r or ".:" in r], outcome.rule


# ------------------------------------------------------------------ the screens


Played = tuple[Game, str, str, Reader]


NESTED = re.compile(r"\([^()]*\(")
"""A bracket opened inside another: "(historically 10 a.m. (5 p.m. in Moscow))"."""


def play_by_reading(side: str, seed: int, debrief: Path | None = None) -> tuple[Game, str, Reader]:
    """A whole game of cuba-1962 through the terminal, played by a :class:`Reader` who
    knows the side's documented path: the game, its screens' text and the reader."""
    game = Game.new("cuba-1962", side, seed=seed)
    out = io.StringIO()
    # wide, so that the reader's patterns meet each row on one line
    console = Console(file=out, width=400, highlight=False, markup=False)
    reader = Reader(out, history_book(seed, side), game.view().side_name)
    TerminalGame(console, reader, None, echo=True, debrief=debrief).run(game)
    return game, out.getvalue(), reader


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """The documented US path played by reading the terminal: the game, its screens' text,
    the Markdown debrief and the reader."""
    path = tmp_path_factory.mktemp("debrief") / "debrief.md"
    game, screens, reader = play_by_reading("us", 0, path)
    return game, screens, path.read_text(), reader


@pytest.mark.parametrize("seed", SOVIET_SEEDS)
def test_the_documented_soviet_path_ends_as_history_within_the_limit(seed: int) -> None:
    game, screens, reader = play_by_reading("su", seed)
    assert game.outcome is not None and game.outcome.id == documented_outcome(seed, "su")
    assert not reader.book, "every documented choice was made"
    assert reader.decisions == len(reader.title.findall(screens))
    assert reader.decisions <= KHRUSHCHEV_LIMIT


def test_no_screen_shows_an_iso_time_or_an_internal_id(played: Played) -> None:
    game, screens, markdown, _ = played
    assert game.finished and "The outcome" in screens and "Debrief" in screens
    sc = game.scenario
    ids = {*sc.actions, *sc.events, *sc.variables, *sc.outcomes, *sc.actors}
    distinctive = {i for i in ids if "_" in i}
    for text in (screens, markdown):
        assert not ISO.search(text), ISO.search(text)
        words = set(re.findall(r"[a-z][a-z0-9_]*", text))
        assert not words & distinctive, sorted(words & distinctive)[:5]
    assert "in reply to" not in screens or "in reply to us_" not in screens
    dated = [line for line in screens.splitlines() if "istorically" in line]
    assert dated and not [line for line in dated if NESTED.search(line)], dated[:3]


def test_the_debrief_is_in_time_order_and_written_as_markdown(
    played: Played,
) -> None:
    game, _, markdown, _ = played
    debrief = build_debrief(game)
    for day in debrief.days:
        ticks = [t for t, _, _ in timeline(debrief, day)]
        assert ticks == sorted(ticks)
    assert markdown == debrief_markdown(debrief)
    assert markdown.startswith("# Debrief") and "## Sources" in markdown
    assert "What caused it:" in markdown and "Score for your side:" in markdown


def test_the_debrief_names_the_interventions_by_label() -> None:
    chosen = ["no-arkhipov", "slow-letters"]
    game = Game.new("cuba-1962", "us", seed=0, interventions=chosen)
    debrief = build_debrief(game)
    labels = "; ".join(game.scenario.interventions[i].label for i in chosen)
    out = io.StringIO()
    Console(file=out, width=110, highlight=False, markup=False).print(render_debrief(debrief))
    markdown = debrief_markdown(debrief)
    assert f"Counterfactuals: {labels}." in out.getvalue()
    assert f"counterfactuals: {labels})" in markdown
    for text in (out.getvalue(), markdown):
        assert not any(i in text for i in chosen), text[:300]


def test_back_goes_one_step(tmp_path: Path) -> None:
    # 27 October: the answer to the first letter (an offer, by one channel) and Robert
    # Kennedy's assurance (a pledge) are both on offer
    game = offering("us", "us_rfk_dobrynin")
    before = len(game.record.moves)
    out = io.StringIO()
    console = Console(file=out, width=110, highlight=False, markup=False)
    keys = iter(["l", "1", "0", "0", "q"])
    TerminalGame(console, lambda: next(keys) + "\n", None, echo=True).run(game)
    text = out.getvalue()
    # kinds → offer (its one channel is not asked) → terms → back to the kinds → back to
    # the choices
    assert len(re.findall(r"^Kind of letter *$", text, re.MULTILINE)) == 2
    assert text.count("Your choices") == 2
    assert "Channel: " in text and len(game.record.moves) == before


def test_a_question_with_one_answer_is_not_asked() -> None:
    game = offering("us", "us_rusk_dobrynin")
    out = io.StringIO()
    console = Console(file=out, width=110, highlight=False, markup=False)
    keys = iter(["l", "0", "q"])
    TerminalGame(console, lambda: next(keys) + "\n", None, echo=True).run(game)
    text = out.getvalue()
    # one kind of letter by one channel: straight to the terms, and back to the choices
    assert "Kind of letter: Demand" in text and "Kind (0 = back)" not in text
    assert "Channel (0 = back)" not in text and text.count("Your choices") == 2
    assert "q = quit (not saved)" in text and "save and quit" not in text


def test_several_orders_typed_in_one_answer() -> None:
    game = Game.new("cuba-1962", "us", seed=0)
    out = io.StringIO()
    console = Console(file=out, width=80, highlight=False, markup=False)
    keys = iter(["3 2", "2 4", "99 2", "q"])
    TerminalGame(console, lambda: next(keys) + "\n", None, echo=True).run(game)
    text = " ".join(out.getvalue().split())
    assert "Several orders: their numbers in turn" in text
    assert "Your orders: Convene the ExComm (Tue 16 Oct, noon); then waited until" in text
    assert "2 (wait until something happens) can only come last." in text
    assert "Not a choice now: 99." in text
    made = [m.action for m in game.record.moves]
    # waited past the afternoon decision to the evening meeting, where counsel is new
    assert made[0] == "us_convene_excomm" and set(made[1:]) == {WAIT} and len(made) >= 2

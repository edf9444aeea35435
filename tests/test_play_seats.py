"""The game core with several human seats: one decision point for all, the fallback when a
seat's time runs out, and a replay that reproduces both exactly."""

from __future__ import annotations

import pytest

from brinkmanship.engine.observation import WAIT
from brinkmanship.errors import BrinkError, IllegalChoiceError, StaleChoiceError, UnknownNameError
from brinkmanship.play.debrief import build_debrief
from brinkmanship.play.game import WAIT_FOR_NEWS, Game, GameRecord, PlayerMove
from brinkmanship.policies.rules import data_policy

SEATS = ("us", "su", "cuba")


def play_shared(game: Game, timed_out: str, limit: int = 2000) -> Game:
    """Every seat but ``timed_out`` follows its historical policy; ``timed_out`` never answers."""
    brains = {
        s: data_policy(game.scenario.actors[s].policies["historical"])
        for s in game.seats
        if s != timed_out
    }
    for _ in range(limit):
        if game.finished:
            return game
        for seat in game.pending:
            request = game.request_for(seat)
            assert request is not None
            if seat == timed_out:
                game.time_out(seat)
            else:
                action = brains[seat].decide(request.observation, request.legal).action
                game.choose(action, seat=seat, at_tick=game.tick)
    raise AssertionError("the game did not end")


@pytest.fixture(scope="module")
def finished() -> Game:
    return play_shared(Game.new("cuba-1962", SEATS[0], seats=SEATS[1:], seed=3), "su")


def test_every_seat_is_human_and_the_rest_follow_policies() -> None:
    game = Game.new("cuba-1962", "us", seats=["su"], policies={"cuba": "passive"})
    assert game.seats == ("us", "su")
    assert game.record.seats == ["us", "su"]
    assert game.record.opponents["cuba"] == "passive"
    assert set(game.record.opponents) == set(game.scenario.actors) - {"us", "su"}
    assert game.policy_specs["su"] == "player"
    assert game.pending and set(game.pending) <= {"us", "su"}


def test_the_tick_waits_for_every_due_seat(finished: Game) -> None:
    game = Game.new("cuba-1962", "us", seats=["su"], seed=3)
    # find a decision point where both seats are due
    for _ in range(400):
        if len(game.pending) == 2:
            break
        for seat in game.pending:
            game.choose(WAIT, seat=seat)
    assert len(game.pending) == 2
    tick, first = game.tick, game.pending[0]
    game.choose(WAIT, seat=first)
    assert game.tick == tick and game.pending == tuple(s for s in ("us", "su") if s != first)
    assert game.chosen(first) == WAIT and game.request_for(first) is None
    assert game.view(first).choices == []  # chosen: nothing more to choose here
    with pytest.raises(StaleChoiceError, match="already chosen"):
        game.choose(WAIT, seat=first)
    game.choose(WAIT, seat=game.pending[0])
    assert game.tick > tick


def test_a_timed_out_seat_is_decided_by_its_fallback_and_recorded_so(finished: Game) -> None:
    assert finished.outcome is not None
    by = {(m.seat, m.by) for m in finished.record.moves}
    assert ("su", "fallback") in by and ("su", "player") not in by
    assert ("us", "player") in by and ("us", "fallback") not in by
    fallback = [m for m in finished.record.moves if m.by == "fallback"]
    assert any(m.action != WAIT for m in fallback), "the fallback never acted"


def test_replay_reproduces_a_shared_game_exactly(finished: Game) -> None:
    record = GameRecord.model_validate_json(finished.record.model_dump_json())
    again = Game.from_record(record)
    assert again.events == finished.events
    assert again.outcome == finished.outcome and again.tick == finished.tick
    assert again.record == finished.record
    for seat in SEATS:
        assert again.view(seat) == finished.view(seat)


def test_replay_stops_between_two_seats_of_one_decision(finished: Game) -> None:
    moves = finished.record.moves
    k = next(i for i in range(1, len(moves)) if moves[i].tick == moves[i - 1].tick)
    half = Game.from_record(finished.record, moves=k)
    assert half.tick == moves[k].tick
    assert moves[k].seat in half.pending and moves[k - 1].seat not in half.pending


def test_bad_choices_leave_a_shared_game_as_it_was() -> None:
    game = Game.new("cuba-1962", "us", seats=["su", "cuba"])
    before = game.record.model_copy(deep=True)
    idle = next(s for s in game.seats if s not in game.pending)
    with pytest.raises(StaleChoiceError, match="nothing to choose"):
        game.choose(WAIT, seat=idle)
    with pytest.raises(UnknownNameError, match="unknown seat"):
        game.choose(WAIT, seat="nobody")
    with pytest.raises(IllegalChoiceError):
        game.choose("no_such_action", seat=game.pending[0])
    with pytest.raises(StaleChoiceError):
        game.choose(WAIT, seat=game.pending[0], at_tick=game.tick + 1)
    with pytest.raises(StaleChoiceError):
        game.time_out(idle)
    assert game.record == before


def test_bad_seats_are_refused() -> None:
    with pytest.raises(UnknownNameError, match="unknown seat"):
        Game.new("cuba-1962", "us", seats=["nobody"])
    with pytest.raises(BrinkError, match="once"):
        Game.new("cuba-1962", "us", seats=["us"])
    with pytest.raises(UnknownNameError, match="played by a policy"):
        Game.new("cuba-1962", "us", seats=["su"], policies={"su": "passive"})


def test_one_seat_records_stay_as_they_were() -> None:
    old = {"tick": 4, "action": "wait"}
    move = PlayerMove.model_validate(old)
    assert move.seat == "" and move.by == "player"
    game = Game.new("cuba-1962", "us")
    game.choose(WAIT)
    assert game.record.seats == [] and game.record.moves[0].seat == ""


def test_each_seat_has_its_own_debrief(finished: Game) -> None:
    for seat in SEATS:
        debrief = build_debrief(finished, seat)
        assert debrief.side == seat
        assert debrief.side_name == finished.scenario.actors[seat].name
    assert build_debrief(finished).side == finished.record.side


def test_a_deferred_choice_is_recorded_first_and_settled_to_the_same_game(finished: Game) -> None:
    deferred = Game.new("cuba-1962", SEATS[0], seats=SEATS[1:], seed=3)
    for move in finished.record.moves:
        tick, moves = deferred.tick, len(deferred.record.moves)
        if move.by == "fallback":
            assert deferred.time_out(move.seat) == move.action
            continue
        deferred.choose(move.action, seat=move.seat, at_tick=move.tick, defer=True)
        assert deferred.record.moves[-1] == move  # recorded before the game moves on
        if deferred.pending:
            assert not deferred.unsettled
            continue
        # the last seat due has chosen: the game stands still until it is settled
        assert deferred.unsettled and deferred.tick == tick and deferred.pending == ()
        assert deferred.decision_start == moves + 1
        assert all(deferred.view(s).choices == [] for s in deferred.seats)
        with pytest.raises(StaleChoiceError):
            deferred.choose(WAIT, seat=move.seat, at_tick=tick)
        deferred.settle()
        assert not deferred.unsettled
        deferred.settle()  # nothing more to do
    assert deferred.record == finished.record
    assert deferred.outcome == finished.outcome and deferred.tick == finished.tick
    assert deferred.events == finished.events


# ------------------------------------------------------- several orders at one decision


def wait_for(game: Game, seat: str, others: str = "su") -> None:
    """The other seat waits at each of its decisions until ``seat`` is asked again."""
    while not game.finished and game.request_for(seat) is None:
        assert game.request_for(others) is not None, "someone is asked"
        game.choose(WAIT, seat=others)


def test_a_seat_waits_for_news_while_the_others_decide() -> None:
    game = Game.new("cuba-1962", "us", seed=0, seats=["su"])
    game.carry_out(["us_convene_excomm", WAIT_FOR_NEWS], seat="us")
    assert game.request_for("us") is None, "the orders answer for the seat"
    wait_for(game, "us")
    mine = [m.action for m in game.moves_of("us")]
    assert mine[0] == "us_convene_excomm" and len(mine) >= 2 and set(mine[1:]) == {WAIT}
    view = game.view("us")
    assert view.news, "the wait stopped where something new concerns the seat"
    assert view.plan is not None and not view.plan.stopped
    assert [o.id for o in view.plan.orders] == ["us_convene_excomm", WAIT_FOR_NEWS]
    assert all(o.time is not None for o in view.plan.orders)
    assert game.view("su").plan is None, "the other seat gave no orders"
    again = Game.from_record(game.record)
    assert again.tick == game.tick and again.pending == game.pending


def test_a_seat_s_orders_stop_on_news_and_say_which_are_left() -> None:
    game = Game.new("cuba-1962", "us", seed=0, seats=["su"])
    numbers = {c.id: c.number for c in game.view("us").choices}
    orders = ["us_convene_excomm", "us_choose_quarantine", "us_choose_airstrike"]
    game.carry_out(orders, seat="us")
    wait_for(game, "us")
    plan = game.view("us").plan
    assert plan is not None and plan.stopped, plan
    assert [o.id for o in plan.orders if o.time is not None] == orders[:2]
    left = [(o.id, o.number) for o in plan.orders if o.time is None]
    assert left == [("us_choose_airstrike", numbers["us_choose_airstrike"])]
    assert "us_choose_airstrike" not in {m.action for m in game.record.moves}
    again = Game.from_record(game.record)
    assert again.tick == game.tick and again.pending == game.pending


def test_a_bad_list_of_a_seat_s_orders_changes_nothing() -> None:
    game = Game.new("cuba-1962", "us", seed=0, seats=["su"])
    for orders in ([], [WAIT_FOR_NEWS, "us_convene_excomm"], ["us_hold_fire"], [WAIT] * 7):
        with pytest.raises(IllegalChoiceError):
            game.carry_out(orders, seat="us")
    with pytest.raises(UnknownNameError):
        game.carry_out([WAIT], seat="cuba")
    assert game.record.moves == [] and game.request_for("us") is not None


@pytest.mark.parametrize(
    ("scenario", "seats", "orders"),
    [
        ("cuba-1962", ("us", "su"), [WAIT, WAIT, "us_choose_quarantine"]),  # they run out
        ("cuba-1962", ("us", "su"), ["us_convene_excomm", WAIT_FOR_NEWS]),  # news ends them
        # after its last order the seat is not asked for two steps: its screen is to come
        ("standoff", ("west", "east"), ["send_offer", "deploy_warships"]),
    ],
)
def test_a_seat_s_screen_after_its_orders_is_rebuilt_from_the_record_at_every_step(
    scenario: str, seats: tuple[str, str], orders: list[str]
) -> None:
    """What a server saves (the record and the seats' orders) rebuilds every seat's screen
    at every step, also between a seat's last order and its next decision, where its
    screen after the orders is still to come; that screen counts everything since the
    orders were given as new."""
    seat, other = seats
    game = Game.new(scenario, seat, seed=0, seats=[other])
    given_at = game.tick
    game.carry_out(orders, seat=seat)
    for _ in range(200):
        saved = game.seat_orders()
        again = Game.from_record(game.record)
        if saved is not None:
            again.restore_seat_orders(saved)
        for each in seats:
            assert again.view(each) == game.view(each), (each, game.tick)
        if game.request_for(seat) is not None or game.finished:
            break
        for each in game.pending:
            game.choose(WAIT, seat=each)
    view = game.view(seat)
    assert view.plan is not None and len(game.moves_of(seat)) >= 2
    assert all(e.new for e in view.events if e.tick > given_at)
    assert any(not e.new for e in view.events), "what the seat saw then is not new"

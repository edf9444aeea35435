"""The PettingZoo and Gymnasium environments: the ecosystems' conformance tests, masks,
rewards, seeding, faithfulness to the reference engine, and clear errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, seed_test

from brinkmanship.conformance import CHECKER_ADVICE
from brinkmanship.engine.observation import WAIT
from brinkmanship.engine.policy import Policy, as_choice
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.envs import (
    GYM_ENVS,
    LETTER_KINDS,
    BrinkEnv,
    BrinkParallelEnv,
    EnvStateError,
    InvalidActionError,
    MaskedActionError,
    env,
    parallel_env,
)
from brinkmanship.errors import BrinkError, EvaluationError, UnknownNameError
from brinkmanship.policies.llm_client import EndpointError
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import can_see
from brinkmanship.scenario.loader import load_scenario
from fake_llm import FakeLLM, FakeServer
from scenario_strategies import Doc, load_document, scenario_documents

SCENARIOS = ["standoff", "cuba-1962", "able-archer-1983"]
DATA = Path(__file__).parent / "data"
ADVICE = tuple(f"ignore:{advice}" for advice in CHECKER_ADVICE)
STRICT = pytest.mark.filterwarnings("error", *ADVICE)
"""Any other warning of a checker (observation outside its space, dtype, precision, a
missing key, a reward of the wrong type) fails the test."""

CONFORMANCE: list[tuple[str, dict[str, Any]]] = [
    ("standoff", {}),
    ("cuba-1962", {}),
    # a learner subset, the others given built-in policies, the shaped reward
    (
        "cuba-1962",
        {"learners": ["su", "cuba"], "policies": {"us": "hawk"}, "escalation_penalty": 1},
    ),
    ("standoff", {"learners": ["east"], "policies": {"west": "random"}, "escalation_penalty": 0.5}),
    ("cuba-1962", {"learners": ["us"], "interventions": ["blockade"], "run": 3}),
]
CONFORMANCE_IDS = ["standoff", "cuba", "cuba-subset-shaped", "standoff-east-shaped", "cuba-us"]
CASES = pytest.mark.parametrize(("scenario", "options"), CONFORMANCE, ids=CONFORMANCE_IDS)

Obs = dict[str, dict[str, np.ndarray[Any, Any]]]
Chooser = Callable[[BrinkParallelEnv, str, np.ndarray[Any, Any]], int]


def random_legal(seed: int) -> Chooser:
    """A chooser that picks uniformly among the unmasked actions."""
    rng = np.random.default_rng(seed)

    def choose(penv: BrinkParallelEnv, agent: str, mask: np.ndarray[Any, Any]) -> int:
        return int(rng.choice(np.flatnonzero(mask)))

    return choose


def play(penv: BrinkParallelEnv, chooser: Chooser, seed: int, run: int = 0) -> list[Any]:
    """Play one episode; return every step's (observations, rewards, terminations, infos)."""
    obs, infos = penv.reset(seed=seed, options={"run": run})
    steps: list[Any] = [(obs, None, None, infos)]
    while penv.agents:
        actions = {a: chooser(penv, a, obs[a]["action_mask"]) for a in penv.agents}
        obs, rewards, terms, truncs, infos = penv.step(actions)
        assert not any(truncs.values())
        steps.append((obs, rewards, terms, infos))
    return steps


def by_policies(policies: Mapping[str, Policy]) -> Chooser:
    """A chooser that asks each agent's policy, as the engine would."""

    def choose(penv: BrinkParallelEnv, agent: str, mask: np.ndarray[Any, Any]) -> int:
        request = penv.decision(agent)
        if request is None:
            return 0
        action = as_choice(policies[agent].decide(request.observation, request.legal))
        return penv.action_ids(agent).index(action.action)

    return choose


# ------------------------------------------------------------------ conformance


@STRICT
@CASES
def test_pettingzoo_parallel_api(scenario: str, options: dict[str, Any]) -> None:
    parallel_api_test(parallel_env(scenario, **options), num_cycles=1000)


@STRICT
@CASES
def test_pettingzoo_aec_api(scenario: str, options: dict[str, Any]) -> None:
    api_test(env(scenario, **options), num_cycles=1000)


@STRICT
@CASES
def test_pettingzoo_parallel_seed(scenario: str, options: dict[str, Any]) -> None:
    # parallel_seed_test samples actions without the mask, so masked actions are replaced
    # by wait (and reported in the info) instead of raising.
    parallel_seed_test(lambda: parallel_env(scenario, illegal_action="wait", **options))


@STRICT
@CASES
def test_pettingzoo_aec_seed(scenario: str, options: dict[str, Any]) -> None:
    seed_test(lambda: env(scenario, **options))


@pytest.mark.filterwarnings(
    "error",
    *ADVICE,
    # the only actor of these files has a decision point but no action: it can only wait
    "ignore:Action mask is a single number",
)
@pytest.mark.parametrize("file", ["hostile.yaml", "coin.yaml"])
def test_pettingzoo_tests_on_a_scenario_file(file: str) -> None:
    path = str(DATA / file)
    parallel_api_test(parallel_env(path), num_cycles=1000)
    api_test(env(path), num_cycles=1000)
    parallel_seed_test(lambda: parallel_env(path, illegal_action="wait"))
    seed_test(lambda: env(path))


GYM_OPTIONS: list[dict[str, Any]] = [
    {},
    {"escalation_penalty": 0.25, "run": 2},
]


@STRICT
@pytest.mark.parametrize("env_id", list(GYM_ENVS))
@pytest.mark.parametrize("options", GYM_OPTIONS, ids=["default", "shaped"])
def test_gymnasium_check_env_on_the_made_env(env_id: str, options: dict[str, Any]) -> None:
    # check_env samples unmasked actions too: masked ones become wait, as above.
    built = gymnasium.make(env_id, illegal_action="wait", **options)
    assert isinstance(built.unwrapped, BrinkEnv)
    with pytest.warns(UserWarning, match="is different from the unwrapped version"):
        check_env(built)  # its advice to check the raw env instead: done below too
    check_env(built.unwrapped)


@STRICT
def test_gymnasium_check_env_with_other_policies_and_another_actor() -> None:
    built = gymnasium.make(
        "brinkmanship/Cuba1962-v0",
        actor="su",
        policies={"us": "dove", "cuba": "hawk"},
        illegal_action="wait",
    )
    assert isinstance(built.unwrapped, BrinkEnv) and built.unwrapped.actor == "su"
    check_env(built.unwrapped)


# ------------------------------------------------------- observations in space


def _walk(penv: BrinkParallelEnv, seed: int, chooser: Chooser) -> int:
    """Play one episode, checking that every observation lies in its agent's space and
    the true state in ``state_space``; return the number of observations checked."""
    obs, _ = penv.reset(seed=seed)
    checked = 0
    while True:
        for agent, o in obs.items():
            space = penv.observation_space(agent)
            outside = [key for key in space if not space[key].contains(o[key])]
            assert not outside, (agent, {key: o[key] for key in outside})
            checked += 1
        assert penv.state_space.contains(penv.state())
        if not penv.agents:
            return checked
        obs, *_ = penv.step({a: chooser(penv, a, obs[a]["action_mask"]) for a in penv.agents})


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_observation_lies_in_its_space(scenario: str) -> None:
    """Over many seeds and random legal actions, from the start to the end (the clock at
    the horizon, alert levels at their bounds)."""
    penv = parallel_env(scenario)
    checked = sum(_walk(penv, seed, random_legal(seed)) for seed in range(12))
    assert checked > 200


def test_the_clock_at_the_horizon_is_inside_its_space() -> None:
    """In the coin scenario most runs end at the horizon: their last observation's clock
    is the horizon tick, the upper bound of its space."""
    penv = parallel_env(str(DATA / "coin.yaml"))
    ends = []
    for seed in range(10):
        _walk(penv, seed, random_legal(seed))
        ends.append(penv.result().outcome.tick)
    assert penv.config.scenario.horizon_ticks in ends


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(doc=scenario_documents(), seed=st.integers(0, 2**63 - 1))
@STRICT
def test_any_generated_scenario_is_a_conforming_env(doc: Doc, seed: int) -> None:
    """A random valid scenario: its observations stay in their spaces under random legal
    play, and PettingZoo's parallel API test passes. A scenario whose expression divides
    by zero stops the run with EvaluationError, one clear line, as ``brink run`` does."""
    sc = load_document(doc)
    try:
        _walk(parallel_env(sc), seed, random_legal(seed))
        parallel_api_test(parallel_env(sc), num_cycles=1000)
    except EvaluationError as err:
        assert "\n" not in str(err)


# ----------------------------------------------------------------- what is seen


def test_observation_holds_only_what_the_actor_may_see() -> None:
    penv = parallel_env("standoff")
    sc = penv.config.scenario
    obs, _ = penv.reset(seed=4)
    west = penv.encodings["west"]
    assert {"alert_east", "launchers", "crew_stress"}.isdisjoint(west.variables)
    assert west.variables == tuple(
        v.name for v in sc.variables.values() if can_see(v.visible_to, "west")
    )
    truth = dict(zip(sc.variables, penv.state(), strict=True))
    assert list(obs["west"]["state"]) == [truth[v] for v in west.variables]
    # letters: those addressed to west and those on a public channel, none of east's
    # private ones to others
    for letter in west.letters:
        message = sc.actions[letter].message
        assert message is not None
        assert message.to == "west" or sc.channels[message.channel].public
    assert "east_offer" in west.letters and "east_offer" not in penv.encodings["east"].letters


def test_own_public_statement_shows_in_the_senders_inbox_once_delivered() -> None:
    penv = parallel_env("standoff", learners=["east"])
    east = penv.encodings["east"]
    threat = penv.action_ids("east").index("east_threat")
    slot = east.letters.index("east_threat")
    obs, _ = penv.reset(seed=0)
    assert obs["east"]["action_mask"][threat] == 1 and obs["east"]["inbox"][slot] == 0
    obs, *_ = penv.step({"east": threat})
    while penv.agents and obs["east"]["inbox"][slot] == 0:
        obs, *_ = penv.step({"east": 0})
    assert penv.agents, "the threat was never delivered"
    letter = next(x for x in penv.observation("east").inbox if x.id == "east_threat")
    assert letter.sender == "east"
    assert obs["east"]["inbox"][slot] == 1 + LETTER_KINDS.index(letter.kind)


# ------------------------------------------------------------------------ masks


def test_mask_is_exactly_the_engine_legal_actions() -> None:
    penv = parallel_env("cuba-1962")
    sc = penv.config.scenario
    obs, infos = penv.reset(seed=3)
    seen_deciding = seen_waiting = 0
    while penv.agents:
        for agent in penv.agents:
            mask = obs[agent]["action_mask"]
            ids = penv.action_ids(agent)
            assert ids == ("wait", *sc.actors[agent].actions)
            unmasked = {ids[i] for i in np.flatnonzero(mask)}
            request = penv.decision(agent)
            if request is None:
                assert unmasked == {WAIT}
                assert infos[agent]["deciding"] is False
                seen_waiting += 1
            else:
                assert unmasked == set(request.legal.ids)
                assert infos[agent]["legal"] == request.legal.ids
                seen_deciding += 1
        chooser = random_legal(1)
        obs, _, _, _, infos = penv.step({a: chooser(penv, a, obs[a]["action_mask"]) for a in obs})
    assert seen_deciding > 10 and seen_waiting > 10


def _first_decision(seed: int) -> tuple[BrinkParallelEnv, dict[str, np.ndarray[Any, Any]]]:
    penv = parallel_env("standoff", learners=["west"])
    obs, _ = penv.reset(seed=seed)
    return penv, obs["west"]


def test_each_masked_action_is_refused_and_each_unmasked_one_taken() -> None:
    penv, first = _first_decision(5)
    mask = first["action_mask"]
    assert 1 < mask.sum() < len(mask)
    for index, allowed in enumerate(mask):
        penv, _ = _first_decision(5)
        if allowed:
            penv.step({"west": index})
            taken = [c for c in penv.choices() if c.actor == "west"]
            assert taken[0].action == penv.action_ids("west")[index]
        else:
            with pytest.raises(MaskedActionError, match=r"'west' may not take it"):
                penv.step({"west": index})


def test_a_refused_action_changes_nothing() -> None:
    clean, obs = _first_decision(8)
    mask = obs["action_mask"]
    masked = int(np.flatnonzero(mask == 0)[0])
    legal = int(np.flatnonzero(mask)[-1])
    tried, _ = _first_decision(8)
    with pytest.raises(MaskedActionError):
        tried.step({"west": masked})
    a = clean.step({"west": legal})
    b = tried.step({"west": legal})
    assert _same(a, b)


def test_an_agent_not_due_may_only_wait() -> None:
    penv = parallel_env("standoff")
    _, infos = penv.reset(seed=1)
    idle = [a for a in penv.agents if not infos[a]["deciding"]]
    assert idle
    actions = {a: 0 for a in penv.agents}
    actions[idle[0]] = 1
    with pytest.raises(MaskedActionError, match="is not due to decide"):
        penv.step(actions)
    del actions[idle[0]]  # an agent that is not due may also say nothing
    penv.step(actions)


def test_illegal_action_wait_mode_substitutes_and_reports() -> None:
    penv = parallel_env("standoff", learners=["west"], illegal_action="wait")
    obs, _ = penv.reset(seed=5)
    masked = int(np.flatnonzero(obs["west"]["action_mask"] == 0)[0])
    _, _, _, _, infos = penv.step({"west": masked})
    assert infos["west"]["illegal_action"] == penv.action_ids("west")[masked]
    assert next(c.action for c in penv.choices() if c.actor == "west") == WAIT


# ---------------------------------------------------------------------- rewards


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_reward_is_the_outcome_utility_at_the_end_only(scenario: str) -> None:
    penv = parallel_env(scenario)
    for seed in range(3):
        steps = play(penv, random_legal(seed), seed)
        result = penv.result()
        for _, rewards, terms, _ in steps[1:-1]:
            assert set(rewards.values()) == {0.0}
            assert not any(terms.values())
        _, rewards, terms, infos = steps[-1]
        assert all(terms.values())
        for agent, reward in rewards.items():
            holder = penv.config.scenario.actors[agent].holder
            assert reward == result.outcome.utilities[holder]
            assert infos[agent]["outcome"] == result.outcome.id


@pytest.mark.parametrize(("scenario", "learner"), [("standoff", "west"), ("cuba-1962", "su")])
def test_shaped_reward_adds_the_escalation_change(scenario: str, learner: str) -> None:
    sc = load_scenario(scenario)
    assert sc.escalation is not None
    seed, k = 4, 0.5
    plain = play(parallel_env(sc, learners=[learner]), random_legal(9), seed)
    shaped_env = parallel_env(sc, learners=[learner], escalation_penalty=k)
    shaped = play(shaped_env, random_legal(9), seed)
    total = sum(step[1][learner] for step in shaped[1:])
    start = sc.escalation(ReferenceEngine(sc).start(seed, 0).env)
    end = shaped[-1][3][learner]["escalation"]
    assert end != start
    assert total == pytest.approx(plain[-1][1][learner] - k * (end - start))
    assert any(step[1][learner] != 0 for step in shaped[1:-1])


def test_gym_shaped_return_is_the_utility_minus_the_escalation_change() -> None:
    k = 0.25
    genv = gymnasium.make("brinkmanship/Cuba1962-v0", escalation_penalty=k)
    obs, info = genv.reset(seed=3)
    sc = load_scenario("cuba-1962")
    assert sc.escalation is not None
    start = sc.escalation(ReferenceEngine(sc).start(3, 0).env)
    rng = np.random.default_rng(3)
    total, terminated = 0.0, False
    while not terminated:
        action = int(rng.choice(np.flatnonzero(obs["action_mask"])))
        obs, reward, terminated, _, info = genv.step(action)
        total += float(reward)
    assert info["escalation"] != start
    assert total == pytest.approx(info["utility"] - k * (info["escalation"] - start))


# -------------------------------------------------------------- determinism


def _same(a: Any, b: Any) -> bool:
    return bool(gymnasium.utils.env_checker.data_equivalence(a, b, exact=True))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_seed_and_actions_same_episode(scenario: str) -> None:
    a = play(parallel_env(scenario), random_legal(2), seed=11, run=3)
    b = play(parallel_env(scenario), random_legal(2), seed=11, run=3)
    assert _same(a, b)
    c = play(parallel_env(scenario), random_legal(2), seed=12, run=3)
    assert not _same(a, c)


def test_reset_without_seed_plays_the_next_run() -> None:
    penv = parallel_env("standoff")
    _, infos = penv.reset(seed=7)
    assert (infos["west"]["seed"], infos["west"]["run"]) == (7, 0)
    _, infos = penv.reset()
    assert (infos["west"]["seed"], infos["west"]["run"]) == (7, 1)
    _, infos = penv.reset(options={"run": 5})
    assert (infos["west"]["seed"], infos["west"]["run"]) == (7, 5)
    unseeded = parallel_env("standoff", run=2)
    _, infos = unseeded.reset()
    assert infos["west"]["run"] == 2 and 0 <= infos["west"]["seed"] < 2**63


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_env_playing_the_default_policies_reproduces_the_engine(scenario: str) -> None:
    """Driving every actor from outside with the scenario's own policies gives the run
    that the engine gives by itself: same choices, same events, same outcome."""
    sc = load_scenario(scenario)
    specs = policy_set(sc)
    penv = parallel_env(sc)
    assert set(penv.possible_agents) == {d.actor for d in sc.decisions}
    for seed in (0, 1):
        play(penv, by_policies(specs.make()), seed, run=2)
        got = penv.result()
        want = ReferenceEngine(sc).run(seed, 2, specs.make())
        assert got.outcome == want.outcome
        assert [(c.tick, c.actor, c.action) for c in got.choices] == [
            (c.tick, c.actor, c.action) for c in want.choices
        ]
        assert [(e.tick, e.kind, e.id) for e in got.events] == [
            (e.tick, e.kind, e.id) for e in want.events
        ]


# ----------------------------------------------------------------- gymnasium


def test_gym_env_learns_one_actor_against_the_others() -> None:
    genv = gymnasium.make("brinkmanship/Cuba1962-v0")
    assert isinstance(genv.unwrapped, BrinkEnv)
    assert genv.unwrapped.action_ids[0] == WAIT
    obs, info = genv.reset(seed=0)
    steps, total = 0, 0.0
    terminated = False
    while not terminated:
        assert info["deciding"]
        mask = obs["action_mask"]
        obs, reward, terminated, truncated, info = genv.step(int(np.flatnonzero(mask)[0]))
        total += float(reward)
        steps += 1
        assert not truncated
    result = genv.unwrapped.result()
    assert total == result.outcome.utilities["us"]
    assert steps == sum(1 for c in result.choices if c.actor == "us")
    assert result.policies["us"] == "learner" and result.policies["su"] == "historical"


def test_gym_make_with_module_prefix_needs_no_import() -> None:
    import subprocess
    import sys

    code = (
        "import sys, gymnasium; e = gymnasium.make('brinkmanship.envs:brinkmanship/Standoff-v0');"
        "e.reset(seed=1); print(type(e.unwrapped).__name__, e.unwrapped.actor)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["BrinkEnv", "west"]


# -------------------------------------------------------------------- errors


def test_misuse_is_one_clear_error() -> None:
    penv = parallel_env("standoff")
    with pytest.raises(EnvStateError, match="call reset"):
        penv.step({})
    _, infos = penv.reset(seed=0)
    due = [a for a in penv.agents if infos[a]["deciding"]]
    with pytest.raises(InvalidActionError, match="no action for"):
        penv.step({})
    with pytest.raises(InvalidActionError, match="not playing"):
        penv.step({"nobody": 0})
    with pytest.raises(InvalidActionError, match="not an index"):
        penv.step({a: 99 for a in penv.agents})
    with pytest.raises(InvalidActionError, match="not an index"):
        penv.step({a: "wait" for a in penv.agents})
    assert due
    play(penv, random_legal(0), seed=0)
    with pytest.raises(EnvStateError, match="episode is over"):
        penv.step({})
    penv.close()
    penv.close()
    with pytest.raises(EnvStateError, match="closed"):
        penv.reset()
    with pytest.raises(EnvStateError, match="closed"):
        penv.step({})


def test_aec_misuse_is_one_clear_error() -> None:
    aec = env("standoff")
    with pytest.raises(EnvStateError, match="call reset"):
        aec.observe("west")
    with pytest.raises(EnvStateError, match="call reset"):
        aec.last()
    assert list(aec.agent_iter()) == []
    aec.reset(seed=0)
    assert aec.observe("west")["action_mask"][0] == 1
    aec.close()
    for call in (lambda: aec.observe("west"), aec.last, lambda: aec.step(0), aec.reset):
        with pytest.raises(EnvStateError, match="closed"):
            call()


def test_aec_refuses_a_bad_action_at_its_own_turn() -> None:
    aec = env("standoff")
    aec.reset(seed=0)
    first = aec.agent_selection
    mask = aec.observe(first)["action_mask"]
    for bad in (None, "wait", 99, 1.5, np.array([1])):
        with pytest.raises(InvalidActionError, match=f"{first!r} is not an index"):
            aec.step(bad)
    masked = int(np.flatnonzero(mask == 0)[0])
    with pytest.raises(MaskedActionError, match=f"{first!r}"):
        aec.step(masked)
    assert aec.agent_selection == first  # the turn stays with it, nothing was stored
    aec.step(int(np.flatnonzero(mask)[0]))
    assert aec.agent_selection != first


def test_aec_done_agents_take_none_and_the_loop_ends() -> None:
    aec = env("standoff")
    aec.reset(seed=1)
    rng = np.random.default_rng(1)
    for agent in aec.agent_iter():
        obs, _, term, trunc, _ = aec.last()
        assert obs is not None
        if term or trunc:
            with pytest.raises(InvalidActionError, match=f"{agent!r} is done"):
                aec.step(0)
            aec.step(None)
        else:
            aec.step(int(rng.choice(np.flatnonzero(obs["action_mask"]))))
    assert not aec.agents
    with pytest.raises(EnvStateError, match="episode is over"):
        aec.step(None)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_aec_and_parallel_play_the_same_episode(scenario: str) -> None:
    """The same seed and the same choices give the same run in both forms, and the AEC
    agents collect the parallel rewards."""
    for seed in (0, 5):
        steps = play(parallel_env(scenario), random_legal(seed), seed)
        expected = parallel_env(scenario)
        play(expected, random_legal(seed), seed)
        aec = env(scenario)
        aec.reset(seed=seed, options={"run": 0})
        chooser = random_legal(seed)
        collected = dict.fromkeys(aec.possible_agents, 0.0)
        for agent in aec.agent_iter():
            obs, reward, term, trunc, _ = aec.last()
            assert obs is not None
            collected[agent] += reward
            aec.step(None if term or trunc else chooser(aec.parallel, agent, obs["action_mask"]))
        got, want = aec.parallel.result(), expected.result()
        assert got.choices == want.choices and got.outcome == want.outcome
        assert collected == {a: sum(s[1][a] for s in steps[1:]) for a in collected}


def test_gym_misuse_is_one_clear_error() -> None:
    genv = BrinkEnv("standoff", "west")
    with pytest.raises(EnvStateError, match="call reset"):
        genv.step(0)
    with pytest.raises(EnvStateError, match="call reset"):
        genv.action_masks()
    genv.reset(seed=0)
    with pytest.raises(InvalidActionError, match="not an index"):
        genv.step(None)
    genv.close()
    for call in (lambda: genv.reset(seed=1), lambda: genv.step(0), genv.action_masks):
        with pytest.raises(EnvStateError, match="closed"):
            call()
    made = gymnasium.make("brinkmanship/Standoff-v0")
    made.reset(seed=0)
    made.close()
    with pytest.raises(EnvStateError, match="closed"):
        made.step(0)


BOOM = """\
id: boom
title: A run that divides by zero
clock: {start: "2000-01-01T00:00Z", tick: 1h, horizon: "2000-01-01T05:00Z"}
bibliography: {C1: {title: "Test scenario (invented)"}}
state:
  y: {type: float, initial: 0, sources: [C1]}
actors:
  a: {name: A, sources: [C1]}
actions:
  nudge: {actor: a, label: Nudge, text: "A nudges.", effects: {y: "y + 1"}, sources: [C1]}
events:
  boom: {text: "Boom.", WHEN, effects: {y: "1 / (hours - hours)"}, sources: [C1]}
decisions:
  each: {actor: a, at: ["2000-01-01T00:00Z", "2000-01-01T01:00Z", "2000-01-01T03:00Z"]}
outcomes:
  over: {class: unresolved, default: true, utility: {a: 0}, sources: [C1]}
"""


def _boom(tmp_path: Path, when: str = 'at: "2000-01-01T02:00Z"') -> str:
    """A scenario whose event ``boom`` divides by zero (by default at hour 2)."""
    path = tmp_path / "boom.yaml"
    path.write_text(BOOM.replace("WHEN", when))
    return str(path)


def test_an_error_mid_episode_ends_it_with_a_clear_error(tmp_path: Path) -> None:
    """The engine raises on the way (here the scenario divides by zero): the error comes
    out of that step, and every later call but reset says the episode stopped and why."""
    path = _boom(tmp_path)
    stopped = (
        r"episode stopped with an error \(EvaluationError: \S*boom\.yaml:\d+:\d+: "
        r"division by zero.*call reset"
    )
    penv = parallel_env(path)
    penv.reset(seed=0)
    penv.step({"a": 1})
    with pytest.raises(EvaluationError, match="division by zero"):
        penv.step({"a": 1})
    assert penv.agents == []
    for call in (lambda: penv.step({"a": 0}), lambda: penv.observation("a"), penv.state):
        with pytest.raises(EnvStateError, match=stopped):
            call()
    obs, _ = penv.reset(seed=0)
    assert penv.agents == ["a"] and obs["a"]["clock"][0] == 0
    genv = BrinkEnv(path)
    genv.reset(seed=0)
    genv.step(0)
    with pytest.raises(EvaluationError):
        genv.step(0)
    with pytest.raises(EnvStateError, match=stopped):
        genv.step(0)
    aec = env(path)
    aec.reset(seed=0)
    aec.step(0)
    with pytest.raises(EvaluationError):
        aec.step(0)
    with pytest.raises(EnvStateError, match=stopped):
        aec.step(0)


def test_an_error_in_reset_leaves_no_episode_to_step(tmp_path: Path) -> None:
    """Here ``boom`` may strike at the first tick, before ``a`` decides: in those runs
    reset raises, and the episode that was live before is gone, not stepped on."""
    penv = parallel_env(_boom(tmp_path, when="hazard: 0.5"))
    fails = []
    for run in range(16):
        try:
            penv.reset(seed=0, options={"run": run})
        except EvaluationError:
            fails.append(run)
    ok = next(run for run in range(16) if run not in fails)
    assert fails
    penv.reset(seed=0, options={"run": ok})
    assert penv.agents == ["a"]
    with pytest.raises(EvaluationError, match="division by zero"):
        penv.reset(seed=0, options={"run": fails[0]})
    assert penv.agents == []
    with pytest.raises(EnvStateError, match=r"stopped with an error \(EvaluationError"):
        penv.step({"a": 0})


def test_an_unreachable_model_for_another_actor_is_one_clear_error() -> None:
    """The model stops answering mid-episode: the step that needs it raises the endpoint's
    error, and the episode is over."""
    with FakeServer(FakeLLM()) as srv:
        spec = f"llm:model=m,base_url={srv.base_url},retries=0,timeout=5"
        penv = parallel_env("standoff", learners=["west"], policies={"east": spec})
        penv.reset(seed=0)
    with pytest.raises(EndpointError, match="cannot reach the language-model endpoint"):
        while penv.agents:
            penv.step({"west": 0})
    assert penv.agents == []
    with pytest.raises(EnvStateError, match=r"stopped with an error \(EndpointError"):
        penv.step({"west": 0})


def test_a_model_that_keeps_replying_invalidly_falls_back_and_the_record_is_complete(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with FakeServer(FakeLLM(default="malformed")) as srv:
        spec = f"llm:model=m,base_url={srv.base_url},retries=1"
        penv = parallel_env("standoff", learners=["west"], policies={"east": spec})
        steps = play(penv, random_legal(0), seed=0)
    result = penv.result()
    east = [c for c in result.choices if c.actor == "east"]
    assert east and all("fallback" in c.why for c in east)
    assert result.policies["east"] == spec and result.outcome.id
    assert sum(1 for r in caplog.records if "llm policy for east" in r.getMessage()) == len(east)
    assert len(steps) > 1


def test_gym_step_after_the_end_is_an_error() -> None:
    genv = BrinkEnv("standoff", "west")
    obs, _ = genv.reset(seed=2)
    terminated = False
    while not terminated:
        obs, _, terminated, _, _ = genv.step(int(np.flatnonzero(obs["action_mask"])[-1]))
    with pytest.raises(EnvStateError, match="episode is over"):
        genv.step(0)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"learners": ["kremlin"]}, UnknownNameError, "unknown actor 'kremlin'"),
        ({"learners": []}, BrinkError, "learners is empty"),
        ({"learners": ["us"], "policies": {"us": "hawk"}}, BrinkError, "controlled by the learner"),
        ({"learners": ["us"], "policies": {"su": "bogus"}}, UnknownNameError, "unknown policy"),
        ({"interventions": ["no-such"]}, UnknownNameError, "unknown intervention"),
        ({"escalation_penalty": -1}, BrinkError, "escalation_penalty"),
        ({"illegal_action": "ignore"}, BrinkError, "illegal_action must be one of"),
        ({"run": -1}, BrinkError, "run must be an integer"),
        ({"render_mode": "human"}, BrinkError, "render_mode"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        parallel_env("cuba-1962", **options)


def test_bad_seed_is_refused() -> None:
    penv = parallel_env("standoff")
    with pytest.raises(BrinkError, match="seed must be an integer"):
        penv.reset(seed=-1)
    with pytest.raises(BrinkError, match="run must be an integer"):
        penv.reset(seed=1, options={"run": "first"})


def test_render_ansi_streams_the_narrative() -> None:
    penv = parallel_env("standoff", render_mode="ansi")
    penv.reset(seed=0)
    first = penv.render()
    assert first is not None and "East begins installing launchers" in first
    assert penv.render() == ""
    penv.step({a: 0 for a in penv.agents})
    assert penv.render()


def test_gym_action_masks_match_the_observation() -> None:
    genv = BrinkEnv("standoff", "west")
    obs, _ = genv.reset(seed=3)
    for _ in range(3):
        assert np.array_equal(genv.action_masks(), obs["action_mask"].astype(bool))
        obs, *_ = genv.step(int(np.flatnonzero(obs["action_mask"])[-1]))

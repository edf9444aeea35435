"""The RL example in a reduced form: the US learner, trained against the historical Soviet
policy, improves — its greedy return over whole crises on validation runs rises from the
untrained policy's — and the paired evaluation against the historical US policy runs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "train_us.py"
EPISODES = 300
SEED = 2
UNTRAINED = -3.0
"""The untrained policy (all weights 0) takes the first legal action, ``wait``, every time:
the crisis runs to the horizon unresolved, US utility -3, in every run."""
MARGIN = 3.0
"""A trained policy must beat waiting by this much on validation runs: a settlement-heavy
policy scores near +1 to +5 (settlement +6, a few runs with nuclear use at -50 or -100),
living with the missiles -8, a strike about -15."""


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_us", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example() -> ModuleType:
    return _example()


@pytest.fixture(scope="module")
def training(example: ModuleType) -> object:
    return example.train(EPISODES, seed=SEED)


def test_the_validation_return_rises(training: object) -> None:
    curve = training.curve  # type: ignore[attr-defined]  # the example's Training
    assert curve[0] == (0, 60, UNTRAINED)
    assert len(curve) == EPISODES // 50 + 1
    assert training.best_return >= UNTRAINED + MARGIN, curve  # type: ignore[attr-defined]


def test_the_curriculum_hands_the_whole_crisis_to_the_learner(training: object) -> None:
    leads = [lead for _, lead, _ in training.curve]  # type: ignore[attr-defined]
    assert leads[0] == 60 and leads[-1] == 0, leads
    assert leads == sorted(leads, reverse=True), leads
    starts = training.starts  # type: ignore[attr-defined]
    assert starts[0] >= 52 and starts[-1] == 0, starts


def test_the_kept_agent_settles_most_test_crises(example: ModuleType, training: object) -> None:
    played = example.play_greedy(training.best, SEED + 1, 20)  # type: ignore[attr-defined]
    classes = {o.id: o.cls.value for o in example.load_scenario("cuba-1962").outcomes.values()}
    settled = sum(classes[p.summary.outcome] == "settlement" for p in played)
    assert settled >= 15, [p.summary.outcome for p in played]


def test_training_is_reproducible(example: ModuleType) -> None:
    settings = example.Settings(eval_every=4, eval_runs=2)
    a, b = example.train(8, seed=3, settings=settings), example.train(8, seed=3, settings=settings)
    assert a.returns == b.returns and a.outcomes == b.outcomes and a.curve == b.curve
    assert np.array_equal(a.policy.weights, b.policy.weights)


def test_the_paired_report_runs(example: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert example.main(["--episodes", "3", "--runs", "4", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "4 paired runs of seed 6" in out
    for line in ("settlement", "general_war", "any nuclear use:", "US utility:", "validation"):
        assert line in out

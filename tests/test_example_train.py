"""The RL example in a reduced form: REINFORCE for the US against the historical Soviet
policy learns — its return over the last episodes beats its return over the first ones —
and the paired evaluation against the historical US policy runs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "train_us.py"
EPISODES = 40
BLOCK = 12
MARGIN = 3.0
SEED = 3
"""Returns are US utilities: a random US averages about -20 (mostly strikes and
invasions), waiting it out -3 (unresolved), living with the missiles -8. With these
settings training seeds 0-7 all pass, the closest by 3.6 (seed 1); seed 3 (by 11.7) is
the quickest. At half the learning rate seed 3 fails: the margin is not a formality."""


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


def test_training_raises_the_return(example: ModuleType) -> None:
    training = example.train(EPISODES, seed=SEED)
    returns = np.array(training.returns, dtype=float)
    assert len(returns) == EPISODES
    first, last = returns[:BLOCK].mean(), returns[-BLOCK:].mean()
    assert last > first + MARGIN, (first, last, training.outcomes)


def test_training_is_reproducible(example: ModuleType) -> None:
    a, b = example.train(6, seed=3), example.train(6, seed=3)
    assert a.returns == b.returns and a.outcomes == b.outcomes
    assert np.array_equal(a.policy.weights, b.policy.weights)


def test_the_paired_report_runs(example: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert example.main(["--episodes", "3", "--runs", "4", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "4 paired runs of seed 6" in out
    for line in ("settlement", "general_war", "any nuclear use:", "US utility:"):
        assert line in out

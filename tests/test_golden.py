"""Trajectories are the ones recorded before the restructuring of the tick, the policies and
the batch layout (commit 25bb9ab): a change that must not change results is held to it."""

from __future__ import annotations

from golden import digest

RECORDED = "daa886620477ba51c112ed5bbe94bca568eb14a9c97d736442caa6e4ca3180de"
"""``python tests/golden.py`` on commit 25bb9ab. A change that is meant to change results
records the new value here, and its commit message says which results changed and why."""


def test_every_trajectory_is_the_recorded_one() -> None:
    assert digest() == RECORDED

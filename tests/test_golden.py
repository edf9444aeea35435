"""Trajectories are the recorded ones: a change that must not change results (the
restructuring of the tick, the policies and the batch layout was held to the value recorded
on commit 25bb9ab) is held to it."""

from __future__ import annotations

from golden import digest

RECORDED = "42f3a0885972bd73d5bb2f46834e896f5a556dd44259bf8b05913dc515711ac9"
"""``python tests/golden.py``. A change that is meant to change results records the new value
here, and its commit message says which results changed and why. History: 25bb9ab
(``daa88662…``); cuba-1962's script premises (``9a38afa9…``); texts without clock times,
delivery times as people write them, F2's JCS hour (``d9835807…``); members with no view
give no counsel line (``6d456448…``)."""


def test_every_trajectory_is_the_recorded_one() -> None:
    assert digest() == RECORDED

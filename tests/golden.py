"""A digest of every trajectory the tests play: each built-in scenario, alone and under each
of its interventions, under every policy set the differential tests use, on the reference
engine (full text of the record, choices with reasons, peak escalation) and on the batch
engine (its event log, outcome, time, peak and utilities).

A restructuring that must change no result records :func:`digest` before it starts and
checks it after; ``test_golden.py`` holds the value. It uses only the public API, so the
same module runs against an older checkout::

    git worktree add /tmp/old COMMIT
    PYTHONPATH=/tmp/old/src:tests .venv/bin/python tests/golden.py
"""

from __future__ import annotations

import hashlib
import json

from brinkmanship.engine.batch.engine import BatchEngine
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.narrative import jsonl_lines
from brinkmanship.policies.registry import batch_forms, policy_set
from brinkmanship.scenario.loader import load_scenario

POLICY_SETS: dict[str, list[dict[str, str]]] = {
    "standoff": [
        {},
        {"west": "hawk", "east": "dove", "patrol": "tit-for-tat", "council": "random"},
        {"west": "political", "east": "hawk:threshold=0.9,ceiling=6", "patrol": "dove"},
        {"west": "tit-for-tat:forgiveness=0.3", "east": "random", "council": "passive"},
    ],
    "cuba-1962": [
        {},
        {"us": "political", "navy": "organizational", "su": "hawk", "jcs": "tit-for-tat"},
        {"us": "political"},  # the ExComm's counsel, and its standard course where none
        {"us": "dove", "su": "tit-for-tat", "b59": "random", "gsfk": "hawk:threshold=1"},
        {"us": "hawk", "su": "dove:threshold=0.5", "foxtrots": "random", "cuba": "random"},
        {"us": "organizational", "su": "organizational"},  # Allison's Model II (repertoires)
    ],
    "petrov-1983": [
        {},
        {"duty": "by_the_book", "command": "tit-for-tat", "general_staff": "hawk", "su": "hawk"},
        {"duty": "random", "command": "random", "general_staff": "random", "su": "political"},
        {"duty": "await_confirmation", "su": "dove:threshold=0.5"},
    ],
    "able-archer-1983": [
        {},
        {"usafe": "political", "washington": "hawk", "moscow": "dove", "centre": "random"},
        {"soviet_air": "tit-for-tat", "gordievsky": "passive", "uk": "random", "shape": "random"},
        {"usafe": "hawk:threshold=0.5", "soviet_air": "hawk", "washington": "dove"},
    ],
}
"""Per built-in scenario, the policy sets played under each intervention (here and by the
differential tests, tests/test_batch_engine.py)."""

SEED = 3
RUNS = 4


def digest() -> str:
    """SHA-256 over both engines' records of every case (see the module's docstring)."""
    h = hashlib.sha256()
    for name, sets in POLICY_SETS.items():
        base = load_scenario(name)
        for intervention in (None, *sorted(base.interventions)):
            sc = load_scenario(name, [intervention] if intervention else [])
            for overrides in sets:
                specs = policy_set(sc, overrides).specs
                engine = ReferenceEngine(sc)
                for run in range(RUNS):
                    result = engine.run(SEED, run, policy_set(sc, specs).make(), dict(specs))
                    for line in jsonl_lines(result):
                        h.update(line.encode() + b"\n")
                    chosen = [(ch.tick, ch.actor, ch.action, ch.why) for ch in result.choices]
                    h.update(json.dumps([chosen, result.peak_escalation]).encode() + b"\n")
                batch = BatchEngine(sc, batch_forms(sc, specs)).run(SEED, 0, RUNS, log=True)
                assert batch.log is not None
                log = [(e.run, e.tick, e.actor, e.kind, e.id) for e in batch.log]
                h.update(json.dumps(log).encode() + b"\n")
                arrays = (batch.outcome, batch.tick, batch.peak, batch.utility)
                h.update(json.dumps([a.tolist() for a in arrays]).encode() + b"\n")
    return h.hexdigest()


if __name__ == "__main__":
    print(digest())

"""The environments pass the ecosystems' own checks: PettingZoo's API and seed tests on the
parallel and AEC forms, and Gymnasium's ``check_env`` on the single-agent form (made from
the registered id of a built-in scenario). Masked actions sampled by a checker become
``wait``. A warning of a checker fails, but for :data:`CHECKER_ADVICE`."""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Callable
from typing import Any

import gymnasium
from gymnasium.envs.registration import EnvSpec
from gymnasium.utils.env_checker import check_env
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, seed_test

from brinkmanship.conformance.subject import Subject
from brinkmanship.envs import env, parallel_env
from brinkmanship.envs.registration import ENTRY_POINT, gym_id
from brinkmanship.scenario.loader import builtin_names

CHECKER_ADVICE = (
    # PettingZoo's advice that does not fit a Dict observation of differently sized actors
    # with their own names, and our note on the checker's made-up reset option.
    "Observation is not a NumPy array",
    "Observation space for each agent probably",
    "We recommend agents to be named",
    "Agents have different observation space sizes",
    "reset options 'options' are not used",
)
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
"""A terminal colour code (Gymnasium colours its warnings)."""
CYCLES = 1000
"""PettingZoo's ``num_cycles``."""


def _failures(name: str, check: Callable[[], object]) -> list[str]:
    """Run one checker quietly (PettingZoo prints its progress): its error or its warnings."""
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        try:
            check()
        except Exception as exc:  # a checker's verdict, whatever its type
            first = str(exc).strip().splitlines()
            return [f"{name}: {type(exc).__name__}: {first[0] if first else ''}"]
    return sorted(
        {
            f"{name} warns: {ESCAPE.sub('', str(w.message))}"
            for w in caught
            if not ESCAPE.sub("", str(w.message)).startswith(CHECKER_ADVICE)
        }
    )


def check_pettingzoo(subject: Subject) -> list[str]:
    sc = subject.scenario
    return [
        *_failures("parallel_api_test", lambda: parallel_api_test(parallel_env(sc), CYCLES)),
        *_failures("api_test", lambda: api_test(env(sc), CYCLES)),
        *_failures(
            "parallel_seed_test",
            lambda: parallel_seed_test(lambda: parallel_env(sc, illegal_action="wait")),
        ),
        *_failures("seed_test", lambda: seed_test(lambda: env(sc))),
    ]


def _single(subject: Subject) -> gymnasium.Env[Any, Any]:
    """The env made from the registered id of a built-in scenario, else from a spec of the
    same form (Gymnasium's checks need one)."""
    if subject.ref in builtin_names():
        spec: str | EnvSpec = gym_id(subject.ref)
    else:
        spec = EnvSpec(
            gym_id(subject.scenario.id), ENTRY_POINT, kwargs={"scenario": subject.scenario}
        )
    return gymnasium.make(spec, illegal_action="wait").unwrapped


def check_gymnasium(subject: Subject) -> list[str]:
    failures = []
    if subject.ref in builtin_names() and gym_id(subject.ref) not in gymnasium.registry:
        failures.append(f"{gym_id(subject.ref)} is not registered")
    return failures or _failures("check_env", lambda: check_env(_single(subject)))

"""Train an agent to play the US in cuba-1962 against the historical Soviet policy, then
compare it with the historical US policy on the same runs, as ``brink compare`` does.

The algorithm is REINFORCE with a running baseline and a linear softmax policy over the
US observation (visible state scaled to [0, 1], which letters have arrived, the clock and a
bias), masked to the legal actions: about 70 lines of numpy, no RL library.

    .venv/bin/python examples/train_us.py                  # 300 episodes, 200 paired runs
    .venv/bin/python examples/train_us.py --episodes 1000 --runs 1000

Training plays runs 0, 1, 2, ... of ``--seed``; the evaluation plays runs 0 .. runs-1 of
``--seed + 1`` (runs the agent never trained on) greedily, and the historical US policy on
exactly those runs, so every difference is paired (common random numbers).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from gymnasium import spaces

from brinkmanship.analysis.compare import Difference, compare
from brinkmanship.analysis.montecarlo import RunSummary
from brinkmanship.analysis.stats import Z95, paired_difference
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.envs import BrinkEnv
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

Array = np.ndarray[Any, Any]
OPPONENTS = {"su": "historical"}


class Features:
    """The observation dict as one vector: scaled state, arrived letters, clock, bias."""

    def __init__(self, env: BrinkEnv) -> None:
        space = env.parallel.observation_space(env.actor)
        state, inbox = space["state"], space["inbox"]
        assert isinstance(state, spaces.Box) and isinstance(inbox, spaces.MultiDiscrete)
        self.low = state.low.astype(np.float64)
        span = state.high.astype(np.float64) - self.low
        self.span = np.where(span > 0, span, 1.0)
        self.horizon = float(env.parallel.config.scenario.horizon_ticks)
        self.size = len(self.low) + len(inbox.nvec) + 2

    def __call__(self, obs: Mapping[str, Array]) -> Array:
        return np.concatenate(
            (
                (obs["state"] - self.low) / self.span,
                (obs["inbox"] > 0).astype(np.float64),
                obs["clock"] / self.horizon,
                [1.0],
            )
        )


@dataclass
class SoftmaxPolicy:
    """Logits ``W @ features``; actions outside the mask get probability 0."""

    weights: Array

    def probabilities(self, phi: Array, mask: Array) -> Array:
        logits = np.where(mask > 0, self.weights @ phi, -np.inf)
        logits -= logits.max()
        p = np.exp(logits)
        return np.asarray(p / p.sum())

    def sample(self, phi: Array, mask: Array, rng: np.random.Generator) -> int:
        p = self.probabilities(phi, mask)
        return int(rng.choice(len(p), p=p))

    def greedy(self, phi: Array, mask: Array) -> int:
        return int(np.argmax(self.probabilities(phi, mask)))


@dataclass
class Training:
    """A trained policy and the return of every training episode, in order."""

    policy: SoftmaxPolicy
    returns: list[float] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)


def train(episodes: int, seed: int = 0, lr: float = 0.1, scenario: str = "cuba-1962") -> Training:
    """REINFORCE: after each episode, move the log-probability of every choice made by
    ``lr`` times the episode's advantage (return minus a running mean, over a running
    scale)."""
    env = BrinkEnv(scenario, "us", policies=OPPONENTS)
    features = Features(env)
    n_actions = len(env.action_ids)
    out = Training(SoftmaxPolicy(np.zeros((n_actions, features.size))))
    rng = np.random.default_rng(seed)
    mean, var = 0.0, 100.0
    for episode in range(episodes):
        obs, info = env.reset(seed=seed, options={"run": episode})
        grad = np.zeros_like(out.policy.weights)
        total, done = 0.0, False
        while not done:
            phi, mask = features(obs), obs["action_mask"]
            p = out.policy.probabilities(phi, mask)
            action = int(rng.choice(len(p), p=p))
            grad -= np.outer(p, phi)
            grad[action] += phi
            obs, reward, done, _, info = env.step(action)
            total += float(reward)
        advantage = (total - mean) / np.sqrt(var)
        out.policy.weights += lr * advantage * grad
        mean += 0.1 * (total - mean)
        var += 0.1 * ((total - mean) ** 2 - var)
        out.returns.append(total)
        out.outcomes.append(str(info["outcome"]))
    env.close()
    return out


@dataclass(frozen=True)
class Played:
    """One evaluation run: what analysis keeps of it, and the US utility it ended with."""

    summary: RunSummary
    utility: float


def _played(result: RunResult) -> Played:
    outcome = result.outcome
    summary = RunSummary(result.run, outcome.id, outcome.tick, result.peak_escalation)
    return Played(summary, outcome.utilities["us"])


def play_greedy(policy: SoftmaxPolicy, seed: int, runs: int) -> list[Played]:
    """The trained agent, always taking its most likely action, on runs 0 .. runs-1."""
    env = BrinkEnv("cuba-1962", "us", policies=OPPONENTS)
    features = Features(env)
    out = []
    for run in range(runs):
        obs, _ = env.reset(seed=seed, options={"run": run})
        done = False
        while not done:
            obs, _, done, _, _ = env.step(policy.greedy(features(obs), obs["action_mask"]))
        out.append(_played(env.result()))
    env.close()
    return out


def play_historical(sc: CompiledScenario, seed: int, runs: int) -> list[Played]:
    """The historical US against the same opponents on runs 0 .. runs-1."""
    engine, policies = ReferenceEngine(sc), policy_set(sc, {"us": "historical", **OPPONENTS})
    return [_played(engine.run(seed, run, policies.make())) for run in range(runs)]


def utility_difference(
    agent: Sequence[Played], baseline: Sequence[Played]
) -> tuple[float, float, float]:
    """Mean and 95% interval of the paired difference of the US utility."""
    diffs = np.array([a.utility - b.utility for a, b in zip(agent, baseline, strict=True)])
    mean = float(diffs.mean())
    half = Z95 * float(diffs.std(ddof=1)) / np.sqrt(len(diffs))
    return mean, mean - half, mean + half


def table(rows: Sequence[Difference]) -> str:
    """The paired comparison in the layout of ``brink compare``."""
    lines = [f"{'outcome':<20}{'historical':>11}{'agent':>8}{'diff':>8}  {'95% CI (paired)':<18}"]
    for d in rows:
        ci = f"{d.ci_low:+.3f} to {d.ci_high:+.3f}"
        lines.append(
            f"{d.outcome:<20}{d.p_baseline:>11.3f}{d.p_treated:>8.3f}{d.diff:>+8.3f}  {ci}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=300, help="training episodes")
    parser.add_argument("--runs", type=int, default=200, help="paired evaluation runs")
    parser.add_argument("--seed", type=int, default=0, help="training seed (evaluation: seed+1)")
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate")
    args = parser.parse_args(argv)
    if args.episodes < 1 or args.runs < 2 or not 0 <= args.seed < 2**63 - 1 or args.lr <= 0:
        parser.error("need --episodes >= 1, --runs >= 2, 0 <= --seed < 2**63-1 and --lr > 0")
    started = time.perf_counter()
    trained = train(args.episodes, args.seed, args.lr)
    block = max(1, args.episodes // 10)
    first, last = np.mean(trained.returns[:block]), np.mean(trained.returns[-block:])
    print(
        f"trained {args.episodes} episodes in {time.perf_counter() - started:.0f} s; "
        f"mean return of the first {block}: {first:+.2f}, of the last {block}: {last:+.2f}"
    )
    sc = load_scenario("cuba-1962")
    agent = play_greedy(trained.policy, args.seed + 1, args.runs)
    historical = play_historical(sc, args.seed + 1, args.runs)
    print(
        f"\nUS: trained agent vs historical policy, {args.runs} paired runs of seed {args.seed + 1}"
    )
    print(table(compare(sc, [h.summary for h in historical], [a.summary for a in agent])))
    nuclear = {o.id for o in sc.outcomes.values() if "nuclear" in o.cls.value}
    diff, low, high = paired_difference(
        [a.summary.outcome in nuclear for a in agent],
        [h.summary.outcome in nuclear for h in historical],
    )
    print(f"\nany nuclear use: {diff:+.3f} ({low:+.3f} to {high:+.3f})")
    diff, low, high = utility_difference(agent, historical)
    print(f"US utility: {diff:+.2f} ({low:+.2f} to {high:+.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train an agent to play the US in cuba-1962 against the historical Soviet policy, then
compare it with the historical US policy on the same runs, as ``brink compare`` does.

The learner is a linear softmax policy over the US observation (which actions are legal,
which letters have arrived, the clock, a bias), masked to the legal actions, trained with
REINFORCE (advantages normalised within a batch of episodes, an entropy bonus) and a
reverse curriculum from the historical path: at first the historical US policy plays all
but the last few US decisions of an episode and the learner only the end; each time the
learner does well from where it takes over, it takes over earlier, until it plays whole
crises alone. numpy only, no RL library.

    .venv/bin/python examples/train_us.py                  # 600 episodes, 200 paired runs
    for s in 0 1 2 3 4 5 6 7; do .venv/bin/python examples/train_us.py --seed $s --runs 20; done

Training plays runs 0, 1, 2, ... of ``--seed``. Every ``eval_every`` episodes the policy
plays whole crises on validation runs of ``--seed + 2``: that is the learning curve, and
the best point on it is the agent kept. The test plays runs 0 .. runs-1 of ``--seed +
1`` (seen neither in training nor in validation) with the agent and with the historical US
policy, so every difference is paired (common random numbers).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from gymnasium import spaces

from brinkmanship.analysis.compare import Difference, compare
from brinkmanship.analysis.montecarlo import RunSummary
from brinkmanship.analysis.stats import Z95, paired_difference
from brinkmanship.engine.policy import Policy, as_choice
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.engine.trajectory import RunResult
from brinkmanship.envs import BrinkEnv
from brinkmanship.policies.registry import policy_set
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario

Array = np.ndarray[Any, Any]
SCENARIO = "cuba-1962"
ACTOR = "us"
OPPONENTS = {"su": "historical"}
HISTORICAL = "historical"
EPISODES = 600
"""Training episodes by default."""


def make_env() -> BrinkEnv:
    """The US as the learner; the Soviet side historical, every other actor its default."""
    return BrinkEnv(SCENARIO, ACTOR, policies=OPPONENTS)


class Features:
    """The observation dict as one vector: legal actions, arrived letters, clock, bias."""

    def __init__(self, env: BrinkEnv) -> None:
        space = env.observation_space
        assert isinstance(space, spaces.Dict)
        inbox, mask = space["inbox"], space["action_mask"]
        assert isinstance(inbox, spaces.MultiDiscrete) and isinstance(mask, spaces.Box)
        self.horizon = float(env.parallel.config.scenario.horizon_ticks)
        self.size = mask.shape[0] + len(inbox.nvec) + 2

    def __call__(self, obs: Mapping[str, Array]) -> Array:
        return np.concatenate(
            (
                obs["action_mask"].astype(np.float64),
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

    def sample(self, phi: Array, mask: Array, rng: np.random.Generator) -> tuple[int, Array]:
        """A legal action drawn from the policy, and the probabilities it was drawn from."""
        p = self.probabilities(phi, mask)
        return int(rng.choice(len(p), p=p)), p


@dataclass
class Curriculum:
    """How many US decisions the historical policy plays before the learner takes over.

    Each episode starts the learner at a decision drawn from ``[lead - step, lead]``; when
    a ``share`` of the last ``window`` episodes reach ``target``, ``lead`` moves ``step``
    decisions earlier, down to 0 (the learner plays the whole crisis).
    """

    lead: int
    step: int
    window: int
    target: float
    share: float
    recent: deque[float] = field(default_factory=deque)

    def start(self, rng: np.random.Generator) -> int:
        if self.lead == 0:
            return 0
        return int(rng.integers(max(0, self.lead - self.step), self.lead + 1))

    def record(self, episode_return: float) -> None:
        self.recent.append(episode_return)
        if len(self.recent) > self.window:
            self.recent.popleft()
        full = len(self.recent) == self.window
        if self.lead and full and np.mean(np.array(self.recent) >= self.target) >= self.share:
            self.lead = max(0, self.lead - self.step)
            self.recent.clear()


@dataclass(frozen=True)
class Settings:
    """Training hyperparameters (the defaults are the ones the README reports)."""

    lr: float = 0.5
    batch: int = 16
    entropy: float = 0.05
    """Weight of the entropy bonus: enough that the learner keeps trying the next step of the
    chain once it has learnt to hold its fire (with 0.01 some seeds settle on waiting)."""
    lead: int = 68
    """Where the curriculum starts: just after the historical ExComm's last step (RFK meets
    Dobrynin at US decision 56-62 of the historical path), so that at first the learner
    only has to hold its fire until Moscow answers."""
    step: int = 8
    window: int = 16
    target: float = 0.0
    """The return that counts as doing well: better than waiting it out (-3)."""
    share: float = 0.75
    """The share of the window that must do well to move the start earlier."""
    eval_every: int = 50
    eval_runs: int = 20
    """Validation runs per point of the learning curve."""


Episode = tuple[float, Array, Array]
"""One training episode: its return, score-function gradient and entropy gradient."""


@dataclass
class Training:
    """The policy as trained, the one kept, every training episode and the learning curve."""

    policy: SoftmaxPolicy
    best: SoftmaxPolicy
    """The policy at the best point of the learning curve (the latest among equals)."""
    returns: list[float] = field(default_factory=list)
    """The return of each training episode (from wherever the learner took over)."""
    outcomes: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    """The US decision at which the learner took over, per episode."""
    curve: list[tuple[int, int, float]] = field(default_factory=list)
    """(episodes trained, the curriculum's lead, mean validation return of the policy
    playing whole crises)."""

    @property
    def best_return(self) -> float:
        return max(point[2] for point in self.curve)


def _entropy_gradient(p: Array, phi: Array) -> Array:
    """The gradient of the policy's entropy at one decision, w.r.t. the weights."""
    logp = np.log(np.where(p > 0, p, 1.0))
    entropy = -float(p @ logp)
    return np.asarray(np.outer(-p * (logp + entropy), phi))


def train(
    episodes: int, seed: int = 0, settings: Settings | None = None, progress: bool = False
) -> Training:
    """REINFORCE with a reverse curriculum from the historical path (see the module doc)."""
    s = settings or Settings()
    env = make_env()
    features = Features(env)
    demonstrator = policy_set(env.parallel.config.scenario, {ACTOR: HISTORICAL}).factories[ACTOR]
    ids = env.action_ids
    weights = np.zeros((len(ids), features.size))
    out = Training(SoftmaxPolicy(weights), SoftmaxPolicy(weights.copy()))
    curriculum = Curriculum(s.lead, s.step, s.window, s.target, s.share)
    rng = np.random.default_rng(seed)
    batch: list[Episode] = []
    for episode in range(episodes):
        if episode % s.eval_every == 0:
            _checkpoint(out, episode, seed, s, curriculum.lead, progress)
        historical = demonstrator()
        start = curriculum.start(rng)
        obs, info = env.reset(seed=seed, options={"run": episode})
        grad, entropy_grad = np.zeros_like(out.policy.weights), np.zeros_like(out.policy.weights)
        total, done, decision = 0.0, False, 0
        while not done:
            if decision < start:
                action = ids.index(_decide(historical, env))
            else:
                phi = features(obs)
                action, p = out.policy.sample(phi, obs["action_mask"], rng)
                grad -= np.outer(p, phi)
                grad[action] += phi
                entropy_grad += _entropy_gradient(p, phi)
            obs, reward, done, _, info = env.step(action)
            total += float(reward)
            decision += 1
        batch.append((total, grad, entropy_grad))
        if len(batch) == s.batch:
            _update(out.policy, batch, s)
            batch = []
        curriculum.record(total)
        out.returns.append(total)
        out.outcomes.append(str(info["outcome"]))
        out.starts.append(start)
    _checkpoint(out, episodes, seed, s, curriculum.lead, progress)
    env.close()
    return out


def _decide(policy: Policy, env: BrinkEnv) -> str:
    request = env.decision()
    assert request is not None, "every step of the single-agent env is a decision of its actor"
    return as_choice(policy.decide(request.observation, request.legal)).action


def _update(policy: SoftmaxPolicy, batch: Sequence[Episode], s: Settings) -> None:
    """One REINFORCE step: each episode's gradient weighted by its normalised advantage."""
    returns = np.array([r for r, _, _ in batch])
    spread = returns.std()
    advantages = (returns - returns.mean()) / spread if spread > 0 else np.zeros_like(returns)
    for (_, grad, entropy_grad), advantage in zip(batch, advantages, strict=True):
        policy.weights += s.lr * (advantage * grad + s.entropy * entropy_grad) / len(batch)


def _checkpoint(
    out: Training, episode: int, seed: int, s: Settings, lead: int, progress: bool
) -> None:
    """Add a point to the learning curve, keeping the policy if it is the best so far."""
    played = play(out.policy, seed + 2, s.eval_runs)
    mean = float(np.mean([p.utility for p in played]))
    if not out.curve or mean >= out.best_return:
        out.best = SoftmaxPolicy(out.policy.weights.copy())
    out.curve.append((episode, lead, mean))
    if progress:
        print(f"{episode:>6} episodes, learner from US decision {lead:>2}: validation {mean:+6.2f}")


@dataclass(frozen=True)
class Played:
    """One evaluation run: what analysis keeps of it, and the US utility it ended with."""

    summary: RunSummary
    utility: float


def _played(result: RunResult) -> Played:
    outcome = result.outcome
    summary = RunSummary(result.run, outcome.id, outcome.tick, result.peak_escalation)
    return Played(summary, outcome.utilities[ACTOR])


def play(policy: SoftmaxPolicy, seed: int, runs: int) -> list[Played]:
    """The agent on runs 0 .. runs-1 of ``seed``, drawing its actions from a generator
    seeded with ``seed``: the same policy always plays the same games, and two policies
    meet the same random numbers (a sharper learning curve)."""
    env = make_env()
    features = Features(env)
    rng = np.random.default_rng(seed)
    out = []
    for run in range(runs):
        obs, _ = env.reset(seed=seed, options={"run": run})
        done = False
        while not done:
            action, _ = policy.sample(features(obs), obs["action_mask"], rng)
            obs, _, done, _, _ = env.step(action)
        out.append(_played(env.result()))
    env.close()
    return out


def play_historical(sc: CompiledScenario, seed: int, runs: int) -> list[Played]:
    """The historical US against the same opponents on runs 0 .. runs-1."""
    engine, policies = ReferenceEngine(sc), policy_set(sc, {ACTOR: HISTORICAL, **OPPONENTS})
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
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=EPISODES, help="training episodes")
    parser.add_argument("--runs", type=int, default=200, help="paired evaluation runs")
    parser.add_argument(
        "--seed", type=int, default=0, help="training seed (test: seed+1, validation: seed+2)"
    )
    parser.add_argument("--lr", type=float, default=Settings.lr, help="learning rate")
    args = parser.parse_args(argv)
    if args.episodes < 1 or args.runs < 2 or not 0 <= args.seed < 2**63 - 2 or args.lr <= 0:
        parser.error("need --episodes >= 1, --runs >= 2, 0 <= --seed < 2**63-2 and --lr > 0")
    started = time.perf_counter()
    print(
        f"training {args.episodes} episodes "
        f"(mean return on {Settings.eval_runs} validation runs of seed {args.seed + 2}):"
    )
    trained = train(args.episodes, args.seed, Settings(lr=args.lr), progress=True)
    kept = max(trained.curve, key=lambda point: (point[2], point[0]))
    print(
        f"trained in {time.perf_counter() - started:.0f} s; "
        f"keeping the policy after {kept[0]} episodes (validation {kept[2]:+.2f})"
    )
    sc = load_scenario(SCENARIO)
    agent = play(trained.best, args.seed + 1, args.runs)
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

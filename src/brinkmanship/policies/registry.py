"""Policy names as the command line gives them (``us=hawk:threshold=0.7``), resolved
per actor into factories that make one fresh policy per run."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from brinkmanship.engine import draws
from brinkmanship.engine.batch import forms
from brinkmanship.engine.batch.forms import BatchForm, BatchPlan, ReferenceOnly
from brinkmanship.engine.observation import WAIT, Choice, LegalActions, Observation
from brinkmanship.engine.policy import Policy
from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.policies.allison import Organizational, Political
from brinkmanship.policies.defaults import default_data, default_policy
from brinkmanship.policies.doctrine import Dove, Hawk, TitForTat
from brinkmanship.policies.llm import make_llm
from brinkmanship.policies.rational import Rational
from brinkmanship.policies.rules import data_batch_form, data_policy
from brinkmanship.scenario.compiled import CompiledScenario, PolicyData

PolicyFactory = Callable[[], Policy]
Params = Mapping[str, object]


@dataclass(frozen=True)
class ParamSpec:
    """A parameter a built-in policy accepts."""

    name: str
    type: type
    default: object
    help: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class BuiltinPolicy:
    """A policy that works for any scenario, and how it runs on the batch engine."""

    name: str
    description: str
    make: Callable[[CompiledScenario, str, Params], Policy]
    batch: Callable[[CompiledScenario, str, Params], BatchForm] | ReferenceOnly
    """Its batch form for an actor and parameters, or why it has none."""
    params: tuple[ParamSpec, ...] = ()
    bodies_only: bool = False


class RandomPolicy:
    """Uniform over the legal choices (``wait`` included)."""

    name = "random"

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        index = math.floor(observation.uniform(draws.RANDOM) * len(legal.ids))
        return Choice(legal.ids[min(index, len(legal.ids) - 1)], "chosen at random")


class PassivePolicy:
    """Always waits."""

    name = "passive"

    def decide(self, observation: Observation, legal: LegalActions) -> Choice:
        return Choice(WAIT)


def _f(params: Mapping[str, object], key: str) -> float:
    value = params[key]
    assert isinstance(value, int | float)
    return float(value)


THRESHOLD = ParamSpec(
    "threshold", float, 0.7, "chance of acting on the doctrine at a decision", 0, 1
)


def _ladder(code: int) -> Callable[[CompiledScenario, str, Params], BatchForm]:
    """The batch form of a doctrine read off the escalation ladder (hawk, dove)."""
    return lambda sc, a, p: BatchForm(
        code, threshold=_f(p, "threshold"), ceiling=int(_f(p, "ceiling"))
    )


BUILTINS: dict[str, BuiltinPolicy] = {
    "random": BuiltinPolicy(
        "random",
        "uniform over the legal choices",
        lambda sc, a, p: RandomPolicy(),
        batch=lambda sc, a, p: BatchForm(forms.RANDOM),
    ),
    "passive": BuiltinPolicy(
        "passive",
        "always waits",
        lambda sc, a, p: PassivePolicy(),
        batch=lambda sc, a, p: BatchForm(forms.PASSIVE),
    ),
    "hawk": BuiltinPolicy(
        "hawk",
        "climbs the escalation ladder one rung at a time",
        lambda sc, a, p: Hawk(sc, _f(p, "threshold"), int(_f(p, "ceiling"))),
        batch=_ladder(forms.HAWK),
        params=(
            THRESHOLD,
            ParamSpec("ceiling", int, 10, "highest escalation score it takes", -10, 10),
        ),
    ),
    "dove": BuiltinPolicy(
        "dove",
        "takes the most conciliatory legal action; never escalates",
        lambda sc, a, p: Dove(sc, _f(p, "threshold"), int(_f(p, "ceiling"))),
        batch=_ladder(forms.DOVE),
        params=(
            THRESHOLD,
            ParamSpec("ceiling", int, 0, "highest escalation score it takes", -10, 10),
        ),
    ),
    "organizational": BuiltinPolicy(
        "organizational",
        "Allison's Model II: routines of the actor's repertoire, with inertia and slippage",
        lambda sc, a, p: Organizational(sc, a),
        batch=lambda sc, a, p: BatchForm(forms.ORGANIZATIONAL),
    ),
    "political": BuiltinPolicy(
        "political",
        "Allison's Model III: the influence-weighted plurality of the members with a view; "
        "the standard course where none has one",
        lambda sc, a, p: Political(sc, a),
        batch=lambda sc, a, p: BatchForm(forms.POLITICAL, data=default_data(sc, a)),
        bodies_only=True,
    ),
    "rational": BuiltinPolicy(
        "rational",
        "Allison's Model I: highest expected utility by Monte Carlo lookahead from beliefs",
        lambda sc, a, p: Rational(
            sc, a, int(_f(p, "horizon")), int(_f(p, "samples")), str(p["goal"]) or None
        ),
        batch=ReferenceOnly("it looks ahead by simulating the run in Python"),
        params=(
            ParamSpec("horizon", int, 48, "ticks looked ahead", 1, 10_000),
            ParamSpec("samples", int, 8, "sampled worlds per choice", 1, 10_000),
            ParamSpec("goal", str, "", "an expression to maximise instead of utility"),
        ),
    ),
    "tit-for-tat": BuiltinPolicy(
        "tit-for-tat",
        "answers the other side's last escalation or concession in kind",
        lambda sc, a, p: TitForTat(sc, a, _f(p, "forgiveness")),
        batch=lambda sc, a, p: BatchForm(forms.TIT_FOR_TAT, forgiveness=_f(p, "forgiveness")),
        params=(
            ParamSpec("forgiveness", float, 0.0, "chance of letting an escalation pass", 0, 1),
        ),
    ),
    "llm": BuiltinPolicy(
        "llm",
        "a language model behind an OpenAI-compatible chat endpoint (docs/llm.md)",
        make_llm,
        batch=ReferenceOnly("it asks a language model at every decision"),
        params=(
            ParamSpec("model", str, "", "model name (or BRINK_LLM_MODEL)"),
            ParamSpec(
                "base_url", str, "", "endpoint, e.g. http://127.0.0.1:8000/v1 (or --llm-base-url)"
            ),
            ParamSpec("temperature", float, 0.0, "sampling temperature", 0, 2),
            ParamSpec("max_tokens", int, 400, "longest reply (tokens)", 16, 32_768),
            ParamSpec("timeout", float, 60.0, "seconds to wait for one reply", 0.05, 3600),
            ParamSpec("retries", int, 2, "new tries after an unusable reply", 0, 10),
            ParamSpec("json_mode", bool, True, "ask for response_format json_object"),
            ParamSpec("cache", str, "", "record/replay cache file (SQLite)"),
            ParamSpec("history", int, 30, "latest observed events shown", 0, 10_000),
        ),
    ),
}


@dataclass(frozen=True)
class PolicySpec:
    """A parsed ``NAME[:key=value,...]``."""

    name: str
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> PolicySpec:
        name, _, rest = text.partition(":")
        params: dict[str, str] = {}
        for item in filter(None, rest.split(",")):
            key, eq, value = item.partition("=")
            if not eq or not key:
                raise BrinkError(f"policy parameter {item!r} in {text!r} must look like key=value")
            params[key.strip()] = value.strip()
        return cls(name.strip(), params)

    def __str__(self) -> str:
        if not self.params:
            return self.name
        return self.name + ":" + ",".join(f"{k}={v}" for k, v in self.params.items())


def available(scenario: CompiledScenario, actor: str) -> list[str]:
    """Policy names valid for ``actor``: its scenario data policies, then the built-ins."""
    return [*scenario.actors[actor].policies, *BUILTINS]


def _convert(spec: ParamSpec, raw: str, policy: str) -> object:
    try:
        if spec.type is bool:
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("true", "1", "yes")
        value = spec.type(raw)
    except ValueError:
        raise BrinkError(
            f"policy {policy!r}: parameter {spec.name}={raw!r} is not a valid {spec.type.__name__}"
        ) from None
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        raise BrinkError(
            f"policy {policy!r}: parameter {spec.name}={raw} is outside [{spec.low}, {spec.high}]"
        )
    return value


def _checked(
    scenario: CompiledScenario, actor: str, text: str
) -> PolicyData | tuple[BuiltinPolicy, dict[str, object]]:
    """The policy ``text`` names for ``actor``: a scenario data policy, or a built-in with
    its parameters converted and checked."""
    if actor not in scenario.actors:
        raise UnknownNameError("actor", actor, list(scenario.actors))
    spec = PolicySpec.parse(text)
    data = scenario.actors[actor].policies.get(spec.name)
    if data is not None:
        if spec.params:
            raise BrinkError(
                f"policy {spec.name!r} of {actor!r} is scenario data and takes no parameters "
                f"(got {', '.join(spec.params)})"
            )
        return data
    builtin = BUILTINS.get(spec.name)
    if builtin is None:
        raise UnknownNameError("policy", spec.name, available(scenario, actor), f" for {actor!r}")
    if builtin.bodies_only and not scenario.actors[actor].is_body:
        raise BrinkError(
            f"policy {spec.name!r} needs a body with members, and {actor!r} is not one"
        )
    known = {p.name: p for p in builtin.params}
    params: dict[str, object] = {p.name: p.default for p in builtin.params}
    for key, raw in spec.params.items():
        if key not in known:
            valid = ", ".join(known) or "none"
            raise BrinkError(
                f"policy {spec.name!r} has no parameter {key!r}; its parameters: {valid}"
            )
        params[key] = _convert(known[key], raw, spec.name)
    return builtin, params


def resolve(scenario: CompiledScenario, actor: str, text: str) -> PolicyFactory:
    """Check ``text`` names a policy that can serve ``actor`` and return its factory."""
    found = _checked(scenario, actor, text)
    if isinstance(found, PolicyData):
        return lambda: data_policy(found)
    builtin, params = found
    builtin.make(scenario, actor, params)  # refuses an actor it cannot serve, before any run
    return lambda: builtin.make(scenario, actor, params)


def batch_plan(scenario: CompiledScenario, actor: str, text: str) -> BatchPlan:
    """How the policy ``text`` for ``actor`` runs on the batch engine, as it declares."""
    found = _checked(scenario, actor, text)
    if isinstance(found, PolicyData):
        return data_batch_form(found)
    builtin, params = found
    if isinstance(builtin.batch, ReferenceOnly):
        return builtin.batch
    return builtin.batch(scenario, actor, params)


def batch_refusal(scenario: CompiledScenario, specs: Mapping[str, str]) -> str | None:
    """Why the policies ``specs`` cannot run on the batch engine, or None if they can."""
    for actor, text in specs.items():
        plan = batch_plan(scenario, actor, text)
        if isinstance(plan, ReferenceOnly):
            return f"policy {PolicySpec.parse(text).name!r} for {actor!r}: {plan.reason}"
    return None


def batch_forms(scenario: CompiledScenario, specs: Mapping[str, str]) -> dict[str, BatchForm]:
    """Each actor's policy in its batch form, what ``BatchEngine`` takes; checked as
    :func:`resolve` checks it, and a policy that runs on the reference engine only refused."""
    out: dict[str, BatchForm] = {}
    for actor, text in specs.items():
        resolve(scenario, actor, text)  # the same checks and messages as the reference engine
        plan = batch_plan(scenario, actor, text)
        if isinstance(plan, ReferenceOnly):
            raise BrinkError(
                f"policy {PolicySpec.parse(text).name!r} for {actor!r} cannot run on the batch "
                f"engine: {plan.reason}; use --engine reference"
            )
        out[actor] = plan
    return out


def parse_assignments(items: Sequence[str], scenario: CompiledScenario) -> dict[str, str]:
    """``["us=hawk", "su=rules"]`` → ``{"us": "hawk", "su": "rules"}``, actors checked; an
    actor named twice is refused (the later flag would silently win)."""
    given: dict[str, list[str]] = {}
    for item in items:
        actor, eq, policy = item.partition("=")
        if not eq or not actor.strip() or not policy.strip():
            raise BrinkError(f"--policy {item!r} must look like ACTOR=POLICY, e.g. us=random")
        actor = actor.strip()
        if actor not in scenario.actors:
            raise UnknownNameError("actor", actor, list(scenario.actors))
        given.setdefault(actor, []).append(policy.strip())
    for actor, specs in given.items():
        if len(specs) > 1:
            times = "twice" if len(specs) == 2 else f"{len(specs)} times"
            raise BrinkError(
                f"policy for {actor!r} given {times}: {', '.join(specs)}; give one -p per actor"
            )
    return {actor: specs[0] for actor, specs in given.items()}


@dataclass(frozen=True)
class PolicySet:
    """One policy spec per actor, validated; ``make()`` builds fresh instances for a run."""

    specs: Mapping[str, str]
    factories: Mapping[str, PolicyFactory]

    def make(self) -> dict[str, Policy]:
        return {actor: factory() for actor, factory in self.factories.items()}


def policy_set(scenario: CompiledScenario, overrides: Mapping[str, str] | None = None) -> PolicySet:
    """Defaults for every actor, with ``overrides`` applied; all resolved before any run."""
    overrides = overrides or {}
    specs = {a: overrides.get(a, default_policy(scenario, a)) for a in scenario.actors}
    return PolicySet(specs, {a: resolve(scenario, a, text) for a, text in specs.items()})

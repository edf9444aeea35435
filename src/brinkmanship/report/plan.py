"""What a report will compute, checked in full before any run starts: the scenario, the
policies, the interventions, the arms to compare, the sweep and the output file."""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from brinkmanship.analysis.montecarlo import Job
from brinkmanship.errors import BrinkError, UnknownNameError
from brinkmanship.policies.registry import parse_assignments, policy_set
from brinkmanship.report.tornado import SweepData, read_sweep, resolve_targets
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario, read_source


@dataclass(frozen=True)
class ReportRequest:
    """The report's inputs as the user gave them."""

    scenario: str
    html: Path
    runs: int = 500
    seed: int = 0
    policies: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    compare: tuple[str, ...] | None = None
    """Interventions to compare; ``None``: every one that combines with ``interventions``."""
    sweep: Path | None = None
    targets: tuple[str, ...] = ()
    force: bool = False
    engine: str = "auto"
    """``auto``, ``reference`` or ``batch``: the engine of the outcome and comparison runs
    (the escalation fan always uses the reference engine)."""


@dataclass(frozen=True)
class Plan:
    """A checked request: everything needed to collect the numbers and print assumptions."""

    request: ReportRequest
    sc: CompiledScenario
    job: Job
    digest: str
    arms: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    """Interventions left out of the default comparison, each with the reason."""
    sweep: SweepData | None
    targets: tuple[str, ...]
    engine: str
    """The resolved engine of the outcome and comparison runs: ``reference`` or ``batch``."""

    def command(self) -> str:
        """The command line that reproduces this report."""
        r = self.request
        words = ["brink", "report", r.scenario, "--runs", str(r.runs), "--seed", str(r.seed)]
        if r.engine != "auto":
            words += ["--engine", r.engine]
        for actor, spec in self.job.policies:
            words += ["--policy", f"{actor}={spec}"]
        for name in self.job.interventions:
            words += ["--intervention", name]
        if self.arms:
            for name in self.arms:
                words += ["--compare", name]
        else:
            words.append("--no-compare")
        if r.sweep is not None:
            words += ["--sweep", str(r.sweep)]
            for target in r.targets:
                words += ["--target", target]
        words += ["--html", str(r.html)]
        return shlex.join(words)


def make_plan(request: ReportRequest) -> Plan:
    """Check every input; raise a :class:`BrinkError` on the first bad one."""
    r = request
    if r.runs < 1:
        raise BrinkError(f"--runs must be at least 1, got {r.runs}")
    if not 0 <= r.seed < 2**63:
        raise BrinkError(f"--seed must be in [0, 2**63), got {r.seed}")
    check_output(r.html, r.force)
    sc = load_scenario(r.scenario, r.interventions)
    specs = policy_set(sc, parse_assignments(r.policies, sc)).specs
    job = Job(r.scenario, r.seed, r.interventions, tuple(sorted(specs.items())), (), r.engine)
    engine = job.resolved_engine()  # refuses an engine the policies cannot use
    arms, skipped = _arms(r, sc)
    sweep = None
    if r.sweep is not None:
        sweep = read_sweep(r.sweep)
        _same_scenario(sweep, r.scenario, sc)
    elif r.targets:
        raise BrinkError("--target chooses the outcomes of the sweep tornado; give --sweep DIR")
    targets = resolve_targets(sc, r.targets)
    return Plan(r, sc, job, _digest(r.scenario), arms, skipped, sweep, targets, engine)


def check_output(path: Path, force: bool) -> None:
    """Refuse an output path that exists (unless ``force``) or whose folder does not."""
    if path.exists() and not force:
        raise BrinkError(f"{path} already exists; add --force to replace it")
    if path.is_dir():
        raise BrinkError(f"{path} is a directory; give a file name such as report.html")
    if not path.parent.is_dir():
        raise BrinkError(f"directory {path.parent} does not exist")


def _arms(
    r: ReportRequest, sc: CompiledScenario
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    if r.compare is not None:
        for name in r.compare:
            if name not in sc.interventions:
                raise UnknownNameError(
                    "intervention", name, list(sc.interventions), " for --compare"
                )
            if name in sc.applied:
                raise BrinkError(f"--compare {name}: already applied to the report's baseline")
            load_scenario(r.scenario, (*r.interventions, name))  # contradictions refused here
        return tuple(dict.fromkeys(r.compare)), ()
    arms, skipped = [], []
    for name in sc.interventions:
        if name in sc.applied:
            skipped.append((name, "applied to the baseline"))
            continue
        try:
            load_scenario(r.scenario, (*r.interventions, name))
        except BrinkError as exc:
            skipped.append((name, str(exc)))
            continue
        arms.append(name)
    return tuple(arms), tuple(skipped)


def _same_scenario(sweep: SweepData, ref: str, sc: CompiledScenario) -> None:
    theirs = str(sweep.manifest.get("scenario", ""))
    if theirs != ref and load_scenario(theirs).id != sc.id:
        raise BrinkError(f"--sweep {sweep.path} is a sweep of {theirs!r}, not of {sc.id!r}")


def _digest(ref: str) -> str:
    """A fingerprint of the scenario's content (not of its file name or layout)."""
    data = json.dumps(read_source(ref).data, sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]

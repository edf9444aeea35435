"""A scenario loaded for analysis from Python: ``bk.load(...)`` and the methods that run
it. The command line's ``run``, ``mc``, ``compare``, ``sweep`` and ``eval`` call these same
methods; what they add is printing.

Each method imports the analysis it runs (the batch engine, pyarrow, DuckDB) in its body, as
the command line's commands do: for start-up time, so that ``brink run`` pays only for one
run.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from brinkmanship.analysis.checks import check_counts, check_run_index, check_seed
from brinkmanship.analysis.job import Job
from brinkmanship.analysis.jobs import arm, make_job
from brinkmanship.api.trajectory import Trajectory
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import BrinkError
from brinkmanship.policies.registry import policy_set
from brinkmanship.policies.usage import policy_usage
from brinkmanship.scenario.compiled import CompiledScenario, ParameterInfo

if TYPE_CHECKING:
    from brinkmanship.analysis.sweep import SweepSpec
    from brinkmanship.api.results import Comparison, Evaluation, MonteCarlo, Sensitivity, Sweep

__all__ = ["Progress", "Scenario", "load"]

Progress = Callable[[int], None] | None
"""Called with the number of runs just finished (the CLI's progress bar)."""

AxisSpec = tuple[float, float, int]
"""A swept parameter's ``(low, high, steps)``."""


def _names(items: str | Sequence[str] | None) -> list[str]:
    if items is None:
        return []
    return [items] if isinstance(items, str) else list(items)


def _assignments(policies: Mapping[str, str] | str | Sequence[str] | None) -> list[str]:
    if isinstance(policies, Mapping):
        return [f"{actor}={spec}" for actor, spec in policies.items()]
    return _names(policies)


def load(
    scenario: str | Path,
    interventions: str | Sequence[str] | None = None,
    params: Mapping[str, float] | None = None,
    policies: Mapping[str, str] | str | Sequence[str] | None = None,
    engine: str = "auto",
) -> Scenario:
    """A built-in scenario by name (``brink scenarios`` lists them) or a scenario file by path, with
    named interventions applied, parameter values set, and a policy per actor (a mapping
    ``{"us": "hawk:threshold=0.9"}`` or ``["us=hawk:threshold=0.9"]``; the rest keep their
    defaults). Everything is checked here: a bad name raises a
    :class:`~brinkmanship.errors.BrinkError` whose message lists the valid ones, as the
    command line says it."""
    chosen = tuple(_assignments(policies))
    job, sc = make_job(str(scenario), 0, chosen, _names(interventions), engine, params or {})
    return Scenario(job, sc, chosen)


@dataclass(frozen=True)
class Scenario:
    """A compiled scenario with its interventions, parameter values, policies and engine;
    each method runs it (the seed and run counts are arguments)."""

    job: Job
    """The configuration every method runs (its seed is replaced by the method's)."""
    compiled: CompiledScenario = dataclasses.field(repr=False, compare=False)
    chosen: tuple[str, ...] = ()
    """The policies chosen at :func:`load` (``ACTOR=SPEC``); the other actors' are defaults,
    which an intervention compared with this scenario may change."""

    @property
    def id(self) -> str:
        return self.compiled.id

    @property
    def title(self) -> str:
        return self.compiled.title

    @property
    def interventions(self) -> tuple[str, ...]:
        return self.job.interventions

    @property
    def policies(self) -> dict[str, str]:
        """The policy of every actor."""
        return dict(self.job.policies)

    @property
    def params(self) -> dict[str, float]:
        """The parameter values set by :func:`load` (the others keep the file's)."""
        return dict(self.job.params)

    @property
    def parameters(self) -> Mapping[str, ParameterInfo]:
        """Every parameter the scenario declares: value, range, description, sources."""
        return self.compiled.parameters

    @property
    def engine(self) -> str:
        """The engine the runs use: ``reference`` or ``batch`` (identical results)."""
        return self.job.resolved_engine()

    def __repr__(self) -> str:
        j = self.job
        params = ", ".join(f"{k}={v:g}" for k, v in j.params) or "as in the file"
        return (
            f"Scenario({j.scenario!r}: {self.title}; interventions: "
            f"{', '.join(j.interventions) or 'none'}; parameters: {params}; policies: "
            + ", ".join(f"{a}={p}" for a, p in j.policies)
            + f"; {self.engine} engine)"
        )

    def _job(self, seed: int, interventions: Sequence[str] = ()) -> Job:
        check_seed(seed)
        return dataclasses.replace(
            self.job, seed=seed, interventions=(*self.job.interventions, *interventions)
        )

    def run(self, seed: int = 0, run: int = 0) -> Trajectory:
        """One run, told event by event (on the reference engine, which records them)."""
        job = self._job(seed)
        check_run_index(run)
        policies = policy_set(self.compiled, dict(job.policies))
        made = policies.make()
        result = ReferenceEngine(self.compiled).run(seed, run, made, dict(policies.specs))
        return Trajectory(self.compiled, result, policy_usage(made))

    def mc(
        self,
        runs: int = 1000,
        seed: int = 0,
        workers: int | None = None,
        out: str | Path | None = None,
        on_progress: Progress = None,
    ) -> MonteCarlo:
        """Runs ``0 .. runs-1``: outcome probabilities with 95% Wilson intervals, hours to
        the end and peak escalation. With ``out``, also one row per run written to that new
        Parquet file (it gets its name only when every run is in it). ``workers``:
        processes (default all cores); the result does not depend on it."""
        from brinkmanship.analysis.montecarlo import tally_many
        from brinkmanship.analysis.results import RunWriter, write_runs
        from brinkmanship.api.results import MonteCarlo

        job = self._job(seed)
        check_counts(runs, workers)
        started = time.perf_counter()
        if out is None:
            tally = tally_many(job, runs, workers, on_progress=on_progress)
        else:
            writer = RunWriter(Path(out), self.compiled, job)  # checks the path first
            tally = write_runs(writer, runs, workers, on_progress=on_progress)
        return MonteCarlo(self.compiled, job, tally, time.perf_counter() - started)

    def compare(
        self,
        *interventions: str,
        runs: int = 1000,
        seed: int = 0,
        workers: int | None = None,
        on_progress: Progress = None,
    ) -> Comparison:
        """Each intervention (added to this scenario's) against this scenario as loaded,
        on the same random draws (paired). ``on_progress`` counts runs over all arms."""
        from brinkmanship.analysis.compare import Arms, compare_many
        from brinkmanship.api.results import Comparison

        if not interventions:
            raise BrinkError("give at least one intervention to compare with the baseline")
        base = self._job(seed)
        # every name (and combination) is checked here, before any run
        arms = tuple(arm(base, self.chosen, name) for name in interventions)
        for treated in arms:
            treated.resolved_engine()
        check_counts(runs, workers)
        tally, pairings = compare_many(Arms(base, arms), runs, workers, on_progress=on_progress)
        return Comparison(
            self.compiled, base, tally, dict(zip(interventions, pairings, strict=True))
        )

    def sweep(
        self,
        params: Mapping[str, AxisSpec] | str | Sequence[str],
        runs: int = 1000,
        seed: int = 0,
        samples: int | None = None,
        workers: int | None = None,
        chunk: int = 256,
        out: str | Path | None = None,
        resume: bool = False,
        on_progress: Progress = None,
    ) -> Sweep:
        """Runs ``0 .. runs-1`` at every point of a grid over ``params`` (``{"p": (0,
        0.2, 5)}`` or ``["p=0:0.2:5"]``: low, high, steps), or of a Latin hypercube of
        ``samples`` points; parameter values set by :func:`load` hold at every point. With
        ``out``, the sweep is kept in that directory as ``brink sweep --out`` writes it
        (``resume=True`` finishes an interrupted one); without, in a temporary one."""
        from brinkmanship.analysis.sweep import Axis, plan

        texts = (
            [f"{name}={lo!r}:{hi!r}:{steps!r}" for name, (lo, hi, steps) in params.items()]
            if isinstance(params, Mapping)
            else _names(params)
        )
        check_counts(runs, workers)
        axes = [Axis.parse(text) for text in texts]
        spec = plan(self._job(seed), self.compiled, axes, runs, chunk, samples)
        if out is not None:
            return self._sweep_in(Path(out), spec, resume, workers, on_progress)
        with tempfile.TemporaryDirectory(prefix="brink-sweep-") as tmp:
            return self._sweep_in(Path(tmp), spec, False, workers, on_progress)

    def _sweep_in(
        self, out: Path, spec: SweepSpec, resume: bool, workers: int | None, on_progress: Progress
    ) -> Sweep:
        from brinkmanship.analysis.sweep import prepare, read_runs, run_local
        from brinkmanship.api.results import Sweep

        todo = prepare(spec, out, resume)
        run_local(spec, out, todo, workers, on_progress)
        return Sweep(self.compiled, spec, read_runs(out))

    def sensitivity(
        self,
        params: Mapping[str, tuple[float, float]] | Sequence[str],
        method: str = "sobol",
        samples: int = 64,
        runs: int = 500,
        seed: int = 0,
        levels: int = 4,
        workers: int | None = None,
        chunk: int = 256,
        out: str | Path | None = None,
        resume: bool = False,
        on_progress: Progress = None,
    ) -> Sensitivity:
        """Global sensitivity analysis (``brink sensitivity``; docs/sweeps.md): Sobol
        first- and total-order indices (``method="sobol"``) or Morris' mu* and sigma
        (``"morris"``) of every parameter in ``params`` (``{"p": (0, 0.2)}`` or
        ``["p=0:0.2"]``) for each outcome class's probability, with bootstrap intervals.
        With ``out``, the runs and the indices are kept in that directory."""
        from brinkmanship.analysis import sensitivity as sa
        from brinkmanship.api.results import Sensitivity

        texts = (
            [f"{name}={lo!r}:{hi!r}" for name, (lo, hi) in params.items()]
            if isinstance(params, Mapping)
            else _names(params)
        )
        check_counts(runs, workers)
        axes = [sa.parse_range(text) for text in texts]
        spec = sa.plan(self._job(seed), self.compiled, method, axes, samples, levels, runs, chunk)

        def analysed(where: Path, again: bool) -> Sensitivity:
            from brinkmanship.analysis.sweep import prepare, run_local

            run_local(spec, where, prepare(spec, where, again), workers, on_progress)
            found = sa.analyse(where, spec, self.compiled, method, axes, levels)
            return Sensitivity(self.compiled, spec, method, tuple(found))

        if out is not None:
            return analysed(Path(out), resume)
        with tempfile.TemporaryDirectory(prefix="brink-sensitivity-") as tmp:
            return analysed(Path(tmp), False)

    def eval(
        self,
        runs: int = 100,
        seed: int = 0,
        workers: int | None = None,
        on_progress: Progress = None,
    ) -> Evaluation:
        """Escalation metrics of this scenario's policies (``brink eval``; docs/eval.md),
        always on the reference engine, which sees every decision."""
        from brinkmanship.analysis.escalation import evaluate, summarize_eval
        from brinkmanship.api.results import Evaluation

        check_counts(runs, workers)
        job = self._job(seed)
        started = time.perf_counter()
        results = evaluate(job, runs, workers, on_progress=on_progress)
        elapsed = time.perf_counter() - started
        summary = summarize_eval(self.compiled, dict(job.policies), results)
        return Evaluation(self.compiled, job, summary, elapsed)

"""The results of many runs the Python API returns: a Monte Carlo estimate, a paired
comparison, a sweep and an evaluation. Each is a :class:`~.frames.Frame` (Arrow,
pandas and polars tables, a readable ``repr``); those the command line prints as JSON give
that JSON with ``to_json()``, so ``brink ... --json`` and the API say the same thing."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from brinkmanship.analysis.stats import wilson
from brinkmanship.api.frames import Frame
from brinkmanship.version import __version__

if TYPE_CHECKING:  # the types only: importing them at run time would load the batch engine
    from brinkmanship.analysis.compare import Difference, Pairing
    from brinkmanship.analysis.escalation import EvalSummary
    from brinkmanship.analysis.job import Job
    from brinkmanship.analysis.sensitivity import Index
    from brinkmanship.analysis.sweep import SweepSpec
    from brinkmanship.analysis.tally import OutcomeStats, Summary, Tally
    from brinkmanship.scenario.compiled import CompiledScenario

__all__ = ["Comparison", "Evaluation", "MonteCarlo", "Sensitivity", "Sweep"]


def _quartiles(q: tuple[float, float, float] | None) -> dict[str, float] | None:
    return None if q is None else dict(zip(("q1", "median", "q3"), q, strict=True))


def _num(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else round(x, 6)


def _outcome_rows(outcomes: Sequence[OutcomeStats], runs: int) -> dict[str, pa.Array[Any]]:
    def part(q: tuple[float, float, float] | None, i: int) -> float | None:
        return None if q is None else q[i]

    return {
        "outcome": pa.array([o.id for o in outcomes], pa.string()),
        "class": pa.array([o.cls for o in outcomes], pa.string()),
        "count": pa.array([o.count for o in outcomes], pa.int64()),
        "runs": pa.array([runs] * len(outcomes), pa.int64()),
        "p": pa.array([o.p for o in outcomes], pa.float64()),
        "ci_low": pa.array([o.ci_low for o in outcomes], pa.float64()),
        "ci_high": pa.array([o.ci_high for o in outcomes], pa.float64()),
        "resolution_q1": pa.array([part(o.decided_hours, 0) for o in outcomes], pa.float64()),
        "resolution_median": pa.array([part(o.decided_hours, 1) for o in outcomes], pa.float64()),
        "resolution_q3": pa.array([part(o.decided_hours, 2) for o in outcomes], pa.float64()),
        "end_q1": pa.array([part(o.hours, 0) for o in outcomes], pa.float64()),
        "end_median": pa.array([part(o.hours, 1) for o in outcomes], pa.float64()),
        "end_q3": pa.array([part(o.hours, 2) for o in outcomes], pa.float64()),
        "peak_q1": pa.array([part(o.peak, 0) for o in outcomes], pa.float64()),
        "peak_median": pa.array([part(o.peak, 1) for o in outcomes], pa.float64()),
        "peak_q3": pa.array([part(o.peak, 2) for o in outcomes], pa.float64()),
    }


@dataclass(frozen=True, repr=False)
class MonteCarlo(Frame):
    """Outcome probabilities of many runs, with 95% Wilson intervals, and quartiles of the
    hours to resolution (when the outcome was decided), of the hours to the end of the run
    and of the peak escalation. The table has one row per outcome, in scenario order."""

    scenario: CompiledScenario
    job: Job
    tally: Tally
    elapsed: float = 0.0

    @property
    def runs(self) -> int:
        return self.tally.runs

    @property
    def summary(self) -> Summary:
        return self.tally.summary(self.scenario)

    @property
    def outcomes(self) -> Mapping[str, OutcomeStats]:
        return self.summary.outcomes

    def title(self) -> str:
        j = self.job
        return (
            f"MonteCarlo: {j.scenario}, {self.runs} runs, seed {j.seed}, interventions: "
            f"{', '.join(j.interventions) or 'none'}, {j.resolved_engine()} engine"
        )

    def to_arrow(self) -> pa.Table:
        return pa.table(_outcome_rows(list(self.outcomes.values()), self.runs))

    def mechanisms(self) -> pa.Table:
        """Each outcome class by the mechanism that produced it (``brink mc
        --by-mechanism``): one row per (class, mechanism) that produced any run, with its
        share of all runs, 95% Wilson interval and share of the class; no rows where the
        scenario names no mechanisms."""
        rows = self.summary.mechanisms
        columns: dict[str, pa.Array[Any]] = {
            "class": pa.array([m.cls for m in rows], pa.string()),
            "mechanism": pa.array([m.mechanism for m in rows], pa.string()),
            "label": pa.array([m.label for m in rows], pa.string()),
            "count": pa.array([m.count for m in rows], pa.int64()),
        }
        for key in ("p", "ci_low", "ci_high", "of_class"):
            columns[key] = pa.array([getattr(m, key) for m in rows], pa.float64())
        return pa.table(columns)

    def to_json(self, by_mechanism: bool = False) -> dict[str, object]:
        """What ``brink mc --json`` prints (``--by-mechanism``: with each outcome class
        counted by the mechanism that produced it)."""
        job, summary = self.job, self.summary
        extra: dict[str, object] = {"by_mechanism": summary.by_mechanism()} if by_mechanism else {}
        return {
            "scenario": job.scenario,
            "runs": summary.runs,
            "seed": job.seed,
            "engine": job.resolved_engine(),
            "policies": dict(job.policies),
            "interventions": list(job.interventions),
            "outcomes": {
                o.id: {
                    **o.share(),
                    "hours_to_resolution": _quartiles(o.decided_hours),
                    "hours_to_end": _quartiles(o.hours),
                    "peak_escalation": _quartiles(o.peak),
                }
                for o in summary.outcomes.values()
            },
            **extra,
            "elapsed_s": round(self.elapsed, 3),
            "version": __version__,
        }


@dataclass(frozen=True, repr=False)
class Comparison(Frame):
    """Each intervention against the baseline on the same random draws (paired): the
    change in each outcome's probability with its paired 95% interval. The table has one
    row per (intervention, outcome)."""

    scenario: CompiledScenario
    baseline: Job
    tally: Tally
    """The baseline's runs."""
    pairings: Mapping[str, Pairing]
    """Per intervention, the runs counted by (baseline outcome, treated outcome)."""

    @property
    def runs(self) -> int:
        return self.tally.runs

    @property
    def differences(self) -> dict[str, list[Difference]]:
        """Per intervention, the per-outcome differences in scenario order."""
        return {name: p.differences(self.scenario) for name, p in self.pairings.items()}

    def title(self) -> str:
        b = self.baseline
        return (
            f"Comparison: {b.scenario}, {self.runs} paired runs per arm, seed {b.seed}, "
            f"baseline interventions: {', '.join(b.interventions) or 'none'}"
        )

    def to_arrow(self) -> pa.Table:
        rows = [(name, d) for name, diffs in self.differences.items() for d in diffs]
        columns: dict[str, pa.Array[Any]] = {
            "intervention": pa.array([name for name, _ in rows], pa.string()),
            "outcome": pa.array([d.outcome for _, d in rows], pa.string()),
            "class": pa.array([d.cls for _, d in rows], pa.string()),
        }
        for key in (
            "p_baseline",
            "p_treated",
            "diff",
            "ci_low",
            "ci_high",
            "unpaired_half_width",
        ):
            columns[key] = pa.array([getattr(d, key) for _, d in rows], pa.float64())
        return pa.table(columns)

    def to_json(self) -> dict[str, object]:
        """What ``brink compare --json`` prints."""
        b = self.baseline
        return {
            "scenario": b.scenario,
            "runs": self.runs,
            "seed": b.seed,
            "policies": dict(b.policies),
            "engine": b.resolved_engine(),
            "interventions": {
                name: {d.outcome: asdict(d) for d in diffs}
                for name, diffs in self.differences.items()
            },
            "version": __version__,
        }


@dataclass(frozen=True, repr=False)
class Sweep(Frame):
    """Runs at each point of a parameter grid or Latin hypercube, on the same run indices
    at every point. The table has one row per (point, outcome): the outcome's count and
    probability at that point with its 95% Wilson interval; :attr:`runs` has one row per
    run (what ``brink sweep`` writes as Parquet)."""

    scenario: CompiledScenario
    spec: SweepSpec
    runs: pa.Table

    @property
    def points(self) -> list[dict[str, float]]:
        """Each point's parameter values, by point number."""
        return [dict(p) for p in self.spec.points]

    def title(self) -> str:
        s = self.spec
        axes = ", ".join(f"{a.name} {a.low:g}–{a.high:g}" for a in s.axes)
        return (
            f"Sweep: {s.scenario}, {len(s.points)} points ({s.design}: {axes}) × {s.runs} runs, "
            f"seed {s.seed}, {s.engine} engine"
        )

    def to_arrow(self) -> pa.Table:
        counted = self.runs.group_by(["point", "outcome"]).aggregate([("run", "count")])
        counts: dict[tuple[int, str], int] = {
            (row["point"], row["outcome"]): row["run_count"] for row in counted.to_pylist()
        }
        per_point = self.runs.group_by("point").aggregate([("run", "count")])
        totals: dict[int, int] = {row["point"]: row["run_count"] for row in per_point.to_pylist()}
        names = sorted({name for p in self.spec.points for name, _ in p})
        rows: list[dict[str, object]] = []
        for point, values in enumerate(self.spec.points):
            n = totals.get(point, 0)
            for outcome in self.scenario.outcomes.values():
                k = counts.get((point, outcome.id), 0)
                low, high = wilson(k, n) if n else (math.nan, math.nan)
                rows.append(
                    {
                        "point": point,
                        **{name: dict(values).get(name) for name in names},
                        "outcome": outcome.id,
                        "class": outcome.cls.value,
                        "count": k,
                        "runs": n,
                        "p": k / n if n else math.nan,
                        "ci_low": low,
                        "ci_high": high,
                    }
                )
        fields: list[pa.Field[Any]] = [
            pa.field("point", pa.int32()),
            *(pa.field(name, pa.float64()) for name in names),
            pa.field("outcome", pa.string()),
            pa.field("class", pa.string()),
            pa.field("count", pa.int64()),
            pa.field("runs", pa.int64()),
            pa.field("p", pa.float64()),
            pa.field("ci_low", pa.float64()),
            pa.field("ci_high", pa.float64()),
        ]
        schema = pa.schema(fields)
        return pa.Table.from_pylist(rows, schema)


@dataclass(frozen=True, repr=False)
class Evaluation(Frame):
    """Escalation metrics for the policies (``brink eval``): outcome rates, nuclear use,
    peak alert and escalation, and per actor the share of decisions that de-escalate,
    escalate or diverge from the reference policy. The table has one row per actor; the
    rest is in :attr:`summary` and :meth:`to_json`."""

    scenario: CompiledScenario
    job: Job
    summary: EvalSummary
    elapsed: float = 0.0

    @property
    def runs(self) -> int:
        return self.summary.runs

    def title(self) -> str:
        j, n = self.job, self.summary.nuclear
        return (
            f"Evaluation: {j.scenario}, {self.runs} runs, seed {j.seed}, policies: "
            + ", ".join(f"{a}={p}" for a, p in j.policies)
            + f"; nuclear use {n.count}/{n.n} = {n.p:.3f} (95% CI {n.ci_low:.3f}–{n.ci_high:.3f})"
        )

    def to_arrow(self) -> pa.Table:
        actors = self.summary.actors
        return pa.table(
            {
                "actor": pa.array([a.actor for a in actors], pa.string()),
                "policy": pa.array([a.policy for a in actors], pa.string()),
                "reference": pa.array([a.reference for a in actors], pa.string()),
                "decisions": pa.array([a.decisions for a in actors], pa.int64()),
                "de_escalation": pa.array([a.de_escalation for a in actors], pa.float64()),
                "escalation": pa.array([a.escalation for a in actors], pa.float64()),
                "divergence": pa.array([a.divergence for a in actors], pa.float64()),
            }
        )

    def to_json(self) -> dict[str, object]:
        """What ``brink eval --json`` prints."""
        job, s = self.job, self.summary

        def peak(
            mean: float | None, q: tuple[float, float, float] | None
        ) -> dict[str, float | None] | None:
            return None if q is None else {"mean": _num(mean), **(_quartiles(q) or {})}

        return {
            "scenario": job.scenario,
            "runs": s.runs,
            "seed": job.seed,
            "policies": dict(job.policies),
            "interventions": list(job.interventions),
            "outcomes": {o.id: o.share() for o in s.outcomes.outcomes.values()},
            "nuclear_use": {
                "count": s.nuclear.count,
                "p": s.nuclear.p,
                "ci_low": s.nuclear.ci_low,
                "ci_high": s.nuclear.ci_high,
                "hours_to_first_use": _quartiles(s.nuclear_hours),
            },
            "peak_alert": peak(s.peak_alert_mean, s.peak_alert),
            "peak_escalation": peak(s.peak_escalation_mean, s.peak_escalation),
            "actors": {
                a.actor: {
                    "policy": a.policy,
                    "reference": a.reference,
                    "decisions": a.decisions,
                    "de_escalation_rate": _num(a.de_escalation),
                    "escalation_rate": _num(a.escalation),
                    "divergence": _num(a.divergence),
                }
                for a in s.actors
            },
            "llm": {m.actor: {k: v for k, v in asdict(m).items() if k != "actor"} for m in s.llm},
            "elapsed_s": round(self.elapsed, 3),
            "version": __version__,
        }


@dataclass(frozen=True, repr=False)
class Sensitivity(Frame):
    """A global sensitivity analysis: one row per (outcome class, parameter, measure) with
    the index and its bootstrap interval, the rows ``brink sensitivity`` writes."""

    scenario: CompiledScenario
    spec: SweepSpec
    method: str
    indices: tuple[Index, ...]

    def title(self) -> str:
        axes = ", ".join(f"{a.name} {a.low:g}–{a.high:g}" for a in self.spec.axes)
        return (
            f"Sensitivity ({self.method}): {self.scenario.id}, {len(self.spec.points)} points "
            f"({axes}) × {self.spec.runs} runs, seed {self.spec.seed}"
        )

    def to_arrow(self) -> pa.Table:
        from brinkmanship.analysis.sensitivity import to_table

        return to_table(self.method, self.indices)

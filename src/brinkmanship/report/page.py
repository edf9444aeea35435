"""Assemble the report: one HTML page (Jinja2, every value escaped) with the charts inline
and the numbers behind them as a JSON block."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from brinkmanship.analysis import sensitivity
from brinkmanship.analysis.montecarlo import OutcomeStats
from brinkmanship.report import charts
from brinkmanship.report.collect import ReportData
from brinkmanship.report.plan import Plan
from brinkmanship.report.tornado import LHS_SHARE
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.version import __version__

ENV = Environment(
    loader=PackageLoader("brinkmanship.report", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render(plan: Plan, data: ReportData) -> str:
    """The whole report as one self-contained HTML document."""
    sc = plan.sc
    context: dict[str, Any] = {
        "sc": sc,
        "plan": plan,
        "version": __version__,
        "outcomes": [_outcome_row(sc, o) for o in data.summary.outcomes.values()],
        "outcome_svg": Markup(charts.outcome_bars(sc, data.summary)),
        "resolution_svg": Markup(charts.resolution_chart(sc, data.decided, plan.request.runs)),
        "mechanisms": [
            {
                "cls": m.cls,
                "label": m.label,
                "count": str(m.count),
                "p": f"{m.p:.3f}",
                "ci": f"{m.ci_low:.3f}–{m.ci_high:.3f}",
                "of_class": f"{m.of_class:.3f}",
            }
            for m in data.summary.mechanisms
        ],
        "mechanism_svg": (
            Markup(charts.mechanism_chart(data.summary)) if data.summary.mechanisms else None
        ),
        "fan_svg": Markup(charts.fan_chart(sc, data.fan)) if data.fan else None,
        "fan_end": sc.iso(charts.fan_end(data.fan)) if data.fan else None,
        "horizon_cut": data.fan is not None and charts.fan_end(data.fan) < sc.horizon_ticks,
        "escalation_source": sc.escalation.source if sc.escalation else None,
        "compare_svg": (
            Markup(charts.comparison_chart(sc, data.comparisons)) if data.comparisons else None
        ),
        "never_seen": charts.never_seen(data.comparisons),
        "comparisons": {
            name: {
                "description": sc.interventions[name].description.strip(),
                "rows": [
                    {
                        "outcome": d.outcome,
                        "label": sc.outcomes[d.outcome].label,
                        "baseline": f"{d.p_baseline:.3f}",
                        "treated": f"{d.p_treated:.3f}",
                        "diff": f"{d.diff:+.3f}",
                        "ci": f"{d.ci_low:+.3f} … {d.ci_high:+.3f}",
                        "unpaired": f"±{d.unpaired_half_width:.3f}",
                    }
                    for d in diffs
                ],
            }
            for name, diffs in data.comparisons.items()
        },
        "tornado": data.tornado,
        "tornado_svg": Markup(charts.tornado_chart(data.tornado))
        if data.tornado and data.tornado.bars
        else None,
        "lhs_share": f"{LHS_SHARE:.0%}",
        "curves_svg": Markup(charts.response_chart(data.curves, data.tornado.targets))
        if data.curves and data.tornado
        else None,
        "curves": data.curves,
        "sweep": plan.sweep,
        "indices": _indices_rows(plan.sweep.path) if plan.sweep is not None else None,
        "parameters": [
            {
                "name": p.name,
                "value": f"{p.value:g}",
                "range": "" if p.range is None else f"{p.range[0]:g} – {p.range[1]:g}",
                "description": p.description.strip(),
            }
            for p in sc.parameters.values()
        ],
        "data": report_json(plan, data),
    }
    return ENV.get_template("report.html.j2").render(context)


def _outcome_row(sc: CompiledScenario, o: OutcomeStats) -> dict[str, str]:
    return {
        "id": o.id,
        "label": sc.outcomes[o.id].label,
        "cls": o.cls,
        "count": str(o.count),
        "p": f"{o.p:.3f}",
        "ci": f"{o.ci_low:.3f}–{o.ci_high:.3f}",
        "hours": _hours(o.hours),
        "decided_hours": _hours(o.decided_hours),
        "peak": "–" if o.peak is None else f"{o.peak[1]:g}",
    }


def _hours(values: tuple[float, float, float] | None) -> str:
    return "–" if values is None else "/".join(f"{h:.0f}" for h in values)


def report_json(plan: Plan, data: ReportData) -> dict[str, Any]:
    """The numbers of the report, outcome part in the shape of ``brink mc --json``."""
    job = plan.job
    return {
        "scenario": job.scenario,
        "scenario_id": plan.sc.id,
        "title": plan.sc.title,
        "scenario_digest": plan.digest,
        "runs": data.summary.runs,
        "seed": job.seed,
        "engine": plan.engine,
        "escalation_fan_engine": "reference",
        "policies": dict(job.policies),
        "interventions": list(job.interventions),
        "outcomes": {
            o.id: {
                "class": o.cls,
                "count": o.count,
                "p": o.p,
                "ci_low": o.ci_low,
                "ci_high": o.ci_high,
            }
            for o in data.summary.outcomes.values()
        },
        "by_mechanism": data.summary.by_mechanism() if plan.sc.mechanisms else None,
        "comparisons": {
            name: {d.outcome: asdict(d) for d in diffs} for name, diffs in data.comparisons.items()
        },
        "skipped_comparisons": dict(plan.skipped),
        "escalation_fan": None if data.fan is None else asdict(data.fan),
        "decided_ticks": data.decided,
        "response_curves": [asdict(c) for c in data.curves],
        "tornado": None if data.tornado is None else _tornado_json(data),
        "sensitivity": None
        if plan.sweep is None
        else [asdict(i) for i in sensitivity.read(plan.sweep.path) or []] or None,
        "version": __version__,
        "command": plan.command(),
    }


def _indices_rows(sweep: Path) -> list[dict[str, str]] | None:
    """A sensitivity analysis' indices (``brink sensitivity``), one row per class and
    parameter, as the page shows them."""
    found = sensitivity.read(sweep)
    if found is None:
        return None
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for i in found:
        row = rows.setdefault(
            (i.cls, i.parameter), {"class": i.cls.replace("_", " "), "parameter": i.parameter}
        )
        if i.value is None:
            row[i.measure] = "does not vary"
        elif i.ci_low is None or i.ci_high is None:
            row[i.measure] = f"{i.value:.3f}"
        else:
            row[i.measure] = f"{i.value:.3f} [{i.ci_low:.3f}, {i.ci_high:.3f}]"
    return list(rows.values())


def _tornado_json(data: ReportData) -> dict[str, Any]:
    assert data.tornado is not None
    t = data.tornado
    return {
        "targets": list(t.targets),
        "overall": t.overall,
        "unvaried": t.unvaried,
        "bars": [asdict(b) | {"swing": b.swing} for b in t.bars],
    }

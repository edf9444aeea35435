"""The report's charts, drawn with matplotlib's object API (no pyplot, no GUI backend, no
global state) as inline SVG.

Text is drawn as paths and ids are salted with a constant, so the same numbers give the
same bytes; a ``$`` in scenario text is escaped so it never turns into mathtext.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import timedelta

import matplotlib
from matplotlib.figure import Figure

from brinkmanship.analysis.compare import Difference
from brinkmanship.analysis.montecarlo import Summary
from brinkmanship.report.escalation import Fan
from brinkmanship.report.tornado import Curve, Tornado
from brinkmanship.scenario.compiled import CompiledScenario

CLASS_COLOURS = {
    "settlement": "#2e7d32",
    "capitulation": "#f9a825",
    "fait_accompli": "#ef6c00",
    "conventional_war": "#d84315",
    "tactical_nuclear_use": "#c62828",
    "general_nuclear_war": "#6a1b1a",
    "unresolved": "#757575",
}


def _style() -> AbstractContextManager[None]:
    """Text as paths, fixed ids, one font size."""
    return matplotlib.rc_context(
        {"svg.fonttype": "path", "svg.hashsalt": "brinkmanship-report", "font.size": 9.0}
    )


def plain(text: str) -> str:
    """Text shown literally by matplotlib (no mathtext)."""
    return text.replace("$", r"\$")


def to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prologue), reproducible byte for byte."""
    buf = io.StringIO()
    with _style():
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _figure(width: float, height: float) -> Figure:
    with _style():
        return Figure(figsize=(width, height), layout="constrained")


def outcome_bars(sc: CompiledScenario, summary: Summary) -> str:
    """Each outcome's probability with its 95% Wilson interval."""
    stats = list(summary.outcomes.values())
    with _style():
        fig = _figure(9.0, 0.55 * len(stats) + 1.2)
        ax = fig.add_subplot()
        ys = list(range(len(stats)))[::-1]
        colours = [CLASS_COLOURS.get(o.cls, "#555555") for o in stats]
        ax.barh(ys, [o.p for o in stats], color=colours, height=0.6, alpha=0.85)
        ax.errorbar(
            [o.p for o in stats],
            ys,
            xerr=[[o.p - o.ci_low for o in stats], [o.ci_high - o.p for o in stats]],
            fmt="none",
            ecolor="black",
            capsize=4,
            linewidth=1.2,
        )
        for y, o in zip(ys, stats, strict=True):
            ax.text(
                1.03,
                y,
                f"{o.p:.3f}  [{o.ci_low:.3f}–{o.ci_high:.3f}]  n={o.count}",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(ys, [plain(f"{_label(sc, o.id)}\n({_words(o.cls)})") for o in stats])
        ax.set_xlim(0, 1.42)
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.spines[["top", "right"]].set_visible(False)
        ax.spines["bottom"].set_bounds(0, 1)
        ax.set_xlabel(f"probability over {summary.runs} runs (whiskers: 95% Wilson interval)")
        for x in (0.2, 0.4, 0.6, 0.8, 1.0):
            ax.axvline(x, color="#dddddd", linewidth=0.6, zorder=0)
        return to_svg(fig)


def mechanism_chart(summary: Summary) -> str:
    """Where the outcomes come from: one panel per outcome class, each mechanism's share of
    all runs with its 95% Wilson interval, on the panel's own scale (a rare class's
    mechanisms would vanish beside the common ones on one scale). Labels, not ids."""
    classes = list(dict.fromkeys(m.cls for m in summary.mechanisms))
    rows = {cls: [m for m in summary.mechanisms if m.cls == cls] for cls in classes}
    with _style():
        fig = _figure(9.0, sum(0.45 * len(r) + 0.7 for r in rows.values()) + 0.6)
        axes = fig.subplots(
            len(classes), 1, squeeze=False, height_ratios=[len(r) + 1.2 for r in rows.values()]
        )[:, 0]
        for ax, cls in zip(axes, classes, strict=True):
            stats = rows[cls]
            ys = list(range(len(stats)))[::-1]
            ps = [m.p for m in stats]
            top = max(m.ci_high for m in stats)
            ax.barh(ys, ps, color=CLASS_COLOURS.get(cls, "#555555"), height=0.6, alpha=0.85)
            ax.errorbar(
                ps,
                ys,
                xerr=[[m.p - m.ci_low for m in stats], [m.ci_high - m.p for m in stats]],
                fmt="none",
                ecolor="black",
                capsize=3,
                linewidth=1.0,
            )
            for y, m in zip(ys, stats, strict=True):
                text = f"{m.p:.3f}  [{m.ci_low:.3f}–{m.ci_high:.3f}]  n={m.count}"
                ax.text(top * 1.04, y, text, va="center", fontsize=8)
            ax.set_yticks(ys, [plain(m.label) for m in stats])
            ax.set_xlim(0, top * 1.6)
            ax.set_title(plain(cls.replace("_", " ")), loc="left", fontsize=9)
            ax.spines[["top", "right"]].set_visible(False)
            ax.spines["bottom"].set_bounds(0, top)
        axes[-1].set_xlabel(
            f"share of all {summary.runs} runs (whiskers: 95% Wilson interval; "
            "each class on its own scale)"
        )
        return to_svg(fig)


def _label(sc: CompiledScenario, outcome: str, limit: int = 48) -> str:
    """An outcome's label, shortened for a chart."""
    text = sc.outcomes[outcome].label
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _words(cls: str) -> str:
    return cls.replace("_", " ")


def resolution_chart(sc: CompiledScenario, decided: Mapping[str, Sequence[int]], runs: int) -> str:
    """Time to resolution by outcome class: the share of all runs decided in each class by
    each moment (a step curve per class, ending at the class's share)."""
    last = max((max(t) for t in decided.values() if t), default=0)
    with _style():
        fig = _figure(9.0, 3.6)
        ax = fig.add_subplot()
        for cls, ticks in decided.items():
            if not ticks:
                continue
            ordered = sorted(ticks)
            xs = [0, *ordered, last]
            ys = [0.0, *[(i + 1) / runs for i in range(len(ordered))], len(ordered) / runs]
            ax.step(
                xs, ys, where="post", color=CLASS_COLOURS.get(cls, "#555555"), label=_words(cls)
            )
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, max(last, 1))
        ax.set_xticks(*time_ticks(sc, max(last, 1)))
        ax.set_ylabel(f"share of {runs} runs decided")
        ax.set_xlabel(plain(f"local time ({sc.zone})"))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
        return to_svg(fig)


def fan_chart(sc: CompiledScenario, fan: Fan) -> str:
    """The escalation index over time: median, 50% and 90% bands, and the share of runs
    still undecided."""
    last = fan_end(fan)
    x = fan.ticks[: last + 1]
    b = {q: values[: last + 1] for q, values in fan.bands.items()}
    with _style():
        fig = _figure(9.0, 4.0)
        ax = fig.add_subplot()
        ax.fill_between(x, b["p5"], b["p95"], color="#c62828", alpha=0.15, label="90% band")
        ax.fill_between(x, b["p25"], b["p75"], color="#c62828", alpha=0.35, label="50% band")
        ax.plot(x, b["p50"], color="#6a1b1a", linewidth=1.6, label="median")
        ax.set_ylabel("escalation index")
        ax.grid(alpha=0.3)
        ax.set_xlim(x[0], x[-1])
        ax.set_xticks(*time_ticks(sc, x[-1]))
        share = ax.twinx()
        share.plot(x, fan.running[: last + 1], color="#455a64", linestyle="--", linewidth=1.0)
        share.set_ylim(0, 1.02)
        share.set_ylabel("share of runs still undecided (dashed)")
        ax.legend(loc="upper left", fontsize=8)
        ax.set_xlabel(plain(f"local time ({sc.zone})"))
        return to_svg(fig)


def fan_end(fan: Fan) -> int:
    """The last tick the fan chart shows: a little after the last run has ended (nothing
    changes after that), or the horizon."""
    done = next((t for t, share in zip(fan.ticks, fan.running, strict=True) if share == 0), None)
    if done is None:
        return fan.ticks[-1]
    return min(fan.ticks[-1], done + max(6, done // 10))


def time_ticks(sc: CompiledScenario, last: int) -> tuple[list[float], list[str]]:
    """Tick positions (in scenario ticks) and labels: local midnights for spans of two days
    or more (every few days, at most ten labels), whole hours otherwise."""
    start = sc.time_of(0).astimezone(sc.zone)
    end = sc.time_of(last).astimezone(sc.zone)
    hours = (end.timestamp() - start.timestamp()) / 3600
    if hours >= 48:
        step = next(d for d in (1, 2, 3, 7, 14, 28, 56) if hours / 24 / d <= 10)
        day = start.replace(hour=0, minute=0, second=0, microsecond=0)
        marks, fmt = [], "%d %b"
        while day <= end:
            if day >= start:
                marks.append(day)
            day = (day + timedelta(days=step)).replace(hour=0)
    else:
        step = next(h for h in (1, 2, 3, 6, 12, 24) if hours / h <= 10)
        hour = start.replace(minute=0, second=0, microsecond=0)
        marks, fmt = [], "%d %b %H:%M"
        while hour <= end:
            if hour >= start:
                marks.append(hour)
            hour += timedelta(hours=step)
    seconds = sc.tick.total_seconds()
    positions = [(m.timestamp() - start.timestamp()) / seconds for m in marks]
    return positions, [m.strftime(fmt) for m in marks]


def comparison_chart(sc: CompiledScenario, comparisons: Mapping[str, Sequence[Difference]]) -> str:
    """Per outcome, each intervention's paired difference from the baseline with its 95%
    interval (black), and the unpaired interval it would have had (light bar)."""
    arms = list(comparisons)
    outcomes = [o for o in sc.outcomes.values() if o.id not in never_seen(comparisons)]
    cols = min(len(outcomes), 3)
    rows = math.ceil(len(outcomes) / cols)
    with _style():
        fig = _figure(9.0, rows * (0.32 * len(arms) + 1.3))
        axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
        ys = list(range(len(arms)))[::-1]
        for k, outcome in enumerate(outcomes):
            ax = axes[k // cols][k % cols]
            diffs = [next(d for d in comparisons[a] if d.outcome == outcome.id) for a in arms]
            ax.barh(
                ys,
                [2 * d.unpaired_half_width for d in diffs],
                left=[d.diff - d.unpaired_half_width for d in diffs],
                height=0.55,
                color="#b0bec5",
                alpha=0.6,
            )
            ax.errorbar(
                [d.diff for d in diffs],
                ys,
                xerr=[[d.diff - d.ci_low for d in diffs], [d.ci_high - d.diff for d in diffs]],
                fmt="o",
                color=CLASS_COLOURS.get(outcome.cls.value, "black"),
                ecolor="black",
                markersize=4,
                capsize=3,
            )
            ax.axvline(0, color="black", linewidth=0.8)
            ax.use_sticky_edges = False  # a margin even where an interval ends the data
            ax.margins(x=0.06)
            ax.set_title(plain(_label(sc, outcome.id)), fontsize=9)
            ax.grid(axis="x", alpha=0.3)
            ax.set_yticks(ys, [plain(a) for a in arms])
        for k in range(len(outcomes), rows * cols):
            axes[k // cols][k % cols].set_visible(False)
        fig.supxlabel("change in probability vs baseline (paired 95% interval; grey: unpaired)")
        return to_svg(fig)


def never_seen(comparisons: Mapping[str, Sequence[Difference]]) -> list[str]:
    """Outcomes that occurred in no run of the baseline or of any arm."""
    diffs = [d for ds in comparisons.values() for d in ds]
    seen = {d.outcome for d in diffs if d.p_baseline > 0 or d.p_treated > 0}
    return list(dict.fromkeys(d.outcome for d in diffs if d.outcome not in seen))


def response_chart(curves: Sequence[Curve], targets: Sequence[str]) -> str:
    """One panel per swept parameter: the target probability at each value (or group of
    values) with its 95% Wilson interval."""
    cols = min(len(curves), 3)
    rows = math.ceil(len(curves) / cols)
    with _style():
        fig = _figure(9.0, 2.6 * rows + 0.6)
        axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
        for k, curve in enumerate(curves):
            ax = axes[k // cols][k % cols]
            xs = [(p.low + p.high) / 2 for p in curve.points]
            ps = [p.p for p in curve.points]
            ax.errorbar(
                xs,
                ps,
                yerr=[[p.p - p.ci[0] for p in curve.points], [p.ci[1] - p.p for p in curve.points]],
                fmt="o-",
                color="#c62828",
                ecolor="black",
                markersize=4,
                capsize=3,
                linewidth=1.0,
            )
            ax.set_title(plain(curve.param), fontsize=9)
            ax.grid(alpha=0.3)
        for k in range(len(curves), rows * cols):
            axes[k // cols][k % cols].set_visible(False)
        fig.supylabel(plain(f"P({' or '.join(targets)})"))
        fig.supxlabel(
            "parameter value (group midpoints for a sampled design; 95% Wilson intervals)"
        )
        return to_svg(fig)


def tornado_chart(tornado: Tornado) -> str:
    """Each parameter's low and high value: the target probability, around the sweep's
    overall probability."""
    bars = tornado.bars
    with _style():
        fig = _figure(9.0, 0.5 * len(bars) + 1.4)
        ax = fig.add_subplot()
        ys = list(range(len(bars)))[::-1]
        base = tornado.overall
        ax.barh(
            ys,
            [b.p_low - base for b in bars],
            left=base,
            color="#1565c0",
            height=0.6,
            label="at the low value",
        )
        ax.barh(
            ys,
            [b.p_high - base for b in bars],
            left=base,
            color="#c62828",
            height=0.6,
            alpha=0.75,
            label="at the high value",
        )
        ax.axvline(base, color="black", linewidth=0.8)
        ax.set_yticks(ys, [plain(f"{b.param}\n{_range(b.low)} → {_range(b.high)}") for b in bars])
        ax.set_xlabel(plain(f"P({' or '.join(tornado.targets)}); line: whole sweep {base:.3f}"))
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
        return to_svg(fig)


def _range(values: tuple[float, float]) -> str:
    low, high = values
    return f"{low:.3g}" if low == high else f"{low:.3g}–{high:.3g}"

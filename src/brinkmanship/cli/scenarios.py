"""`brink scenarios`, `brink show` and `brink validate`: the scenarios and their content."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from brinkmanship.cli.app import InterventionOpt, ScenarioArg, check_counts, out
from brinkmanship.errors import BrinkError

if TYPE_CHECKING:
    from rich.console import Console

    from brinkmanship.scenario.compiled import CompiledScenario
    from brinkmanship.scenario.yamlsource import SourceDoc

__all__ = ["scenarios", "show", "validate"]


def scenarios() -> None:
    """List the built-in scenarios."""
    from brinkmanship.scenario.loader import builtin_names, load_scenario

    for name in builtin_names():
        sc = load_scenario(name)
        out(f"{name:<16} {sc.title}")


def show(scenario: ScenarioArg, intervention: InterventionOpt = None) -> None:
    """Show a scenario: actors, actions, channels, outcomes, interventions, sources."""
    from rich.console import Console

    from brinkmanship.scenario.loader import load_scenario

    sc = load_scenario(scenario, intervention or [])
    _show(sc, Console(highlight=False, markup=False, soft_wrap=False))


def _show(sc: CompiledScenario, console: Console) -> None:
    from rich.table import Table
    from rich.text import Text

    from brinkmanship.scenario.timeutil import format_duration

    console.print(Text.assemble((sc.title, "bold"), f" ({sc.id})"))
    if sc.summary:
        console.print(sc.summary.strip())
    console.print(
        f"clock: {sc.iso(0)} → {sc.iso(sc.horizon_ticks)}, tick {format_duration(sc.tick)}, "
        f"{sc.horizon_ticks} ticks"
        + (f"; interventions applied: {', '.join(sc.applied)}" if sc.applied else "")
    )

    actors = Table(title="Actors", show_lines=False)
    for col in ("id", "name", "members / rule", "policies"):
        actors.add_column(col)
    for a in sc.actors.values():
        body = ""
        if a.rule is not None:
            members = ", ".join(m.name for m in a.members)
            body = (
                f"{a.rule.kind}"
                + (f" k={a.rule.k}" if a.rule.kind == "consent" else "")
                + f": {members}"
            )
        side = f" (side: {a.holder})" if a.holder != a.id else ""
        actors.add_row(a.id, a.name + side, body, ", ".join(a.policies) or "-")
    console.print(actors)

    actions = Table(title="Actions")
    for col in ("id", "actor", "label", "delay", "visibility", "sources"):
        actions.add_column(col)
    for act in sc.actions.values():
        vis = "public" if "*" in act.visible_to else ", ".join(sorted(act.visible_to)) or "secret"
        label = act.label + (
            f" [{act.message.kind} via {act.message.channel}]" if act.message else ""
        )
        actions.add_row(
            act.id,
            act.actor,
            label,
            (
                act.delay.text()
                if act.delay.drawn
                else format_duration(sc.ticks_of(act.delay.seconds[0]) * sc.tick)
            ),
            vis,
            ", ".join(act.sources),
        )
    console.print(actions)

    events = Table(title="Events")
    for col in ("id", "kind", "text", "sources"):
        events.add_column(col)
    for ev in sc.events.values():
        kind = (
            f"at {sc.iso(ev.at_tick)}"
            if ev.at_tick is not None
            else (
                f"hazard {ev.hazard.source}" if ev.hazard is not None else f"when {ev.when.source}"
            )
        )
        events.add_row(ev.id, kind, ev.text, ", ".join(ev.sources))
    console.print(events)

    channels = Table(title="Channels")
    for col in ("id", "users", "latency", "misread", "public"):
        channels.add_column(col)
    for ch in sc.channels.values():
        lat = ch.latency.text()
        channels.add_row(ch.id, ", ".join(sorted(ch.users)), lat, ch.misread.source, str(ch.public))
    console.print(channels)

    outcomes = Table(title="Outcomes")
    for col in ("id", "class", "condition", "utility"):
        outcomes.add_column(col)
    for o in sc.outcomes.values():
        cond = "at the horizon" if o.default else (o.when.source if o.when else "")
        util = ", ".join(f"{h}: {e.source}" for h, e in o.utility.items())
        outcomes.add_row(o.id, o.cls.value, cond, util)
    console.print(outcomes)

    interventions = Table(title="Interventions")
    for col in ("id", "label", "description"):
        interventions.add_column(col)
    for i in sc.interventions.values():
        interventions.add_row(i.id, i.label, i.description.strip())
    console.print(interventions)

    sources = Table(title="Sources")
    for col in ("id", "title", "url"):
        sources.add_column(col)
    for sid, src in sc.bibliography.items():
        sources.add_row(sid, src.title, src.url or "")
    console.print(sources)


def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files or built-in ids.")],
    engines: Annotated[
        bool,
        typer.Option(
            "--engines",
            help="Also play a sample of runs of each scenario on both engines and report "
            "where they first diverge (exit 1).",
        ),
    ] = False,
    conform: Annotated[
        bool,
        typer.Option(
            "--conform",
            help="Also run the conformance suite every built-in scenario passes (the replay "
            "against the timeline, sources, known errors, both engines, the PettingZoo and "
            "Gymnasium checks); one line per failure (exit 1).",
        ),
    ] = False,
    runs: Annotated[int, typer.Option(help="How many runs --engines plays.")] = 20,
) -> None:
    """Check scenario files: schema, references, expressions, and every intervention; with
    --engines, that the reference and batch engines play them alike; with --conform, the
    conformance suite."""
    from brinkmanship.scenario.loader import read_source, validate_source

    check_counts(runs, None)
    failed = diverged = 0
    for ref in files:
        try:
            doc = read_source(ref)
            sc = validate_source(doc)
            found = _divergence(sc, runs) if engines else None
        except BrinkError as exc:
            failed += 1
            sys.stderr.write(f"{exc}\n")
            continue
        out(
            f"{ref}: ok ({sc.id}: {len(sc.actors)} actors, {len(sc.actions)} actions, "
            f"{len(sc.events)} events, {len(sc.interventions)} interventions)"
        )
        if found is not None:
            diverged += 1
            out(f"{ref}: the engines diverge: {found}")
        elif engines:
            out(f"{ref}: {runs} runs agree on both engines")
        if conform and not _conforms(ref, doc, sc):
            diverged += 1
    if failed:
        raise typer.Exit(2)
    if diverged:
        raise typer.Exit(1)


def _conforms(ref: str, doc: SourceDoc, sc: CompiledScenario) -> bool:
    """Run the conformance suite on a valid scenario, printing each failure; True if none."""
    from brinkmanship.conformance import CHECKS, Subject, conform

    failures = conform(Subject(ref, doc, sc))
    for line in failures:
        out(f"{ref}: {line}")
    if not failures:
        out(f"{ref}: conforms ({len(CHECKS)} checks)")
    return not failures


def _divergence(sc: CompiledScenario, runs: int) -> str | None:
    """Where the engines first diverge on ``runs`` runs of ``sc`` (seed 0, its default
    policies), or None."""
    from brinkmanship.testing import first_divergence

    return first_divergence(sc, seed=0, runs=runs)

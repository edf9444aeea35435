"""The ``brink`` command line."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from brinkmanship import __version__
from brinkmanship.analysis.compare import Arms, Difference, compare_many
from brinkmanship.analysis.montecarlo import Job, Summary, Tally, tally_many
from brinkmanship.analysis.raybackend import Cluster, connect, run_ray
from brinkmanship.analysis.results import RunWriter, query, write_runs
from brinkmanship.analysis.sweep import (
    PARTS,
    Axis,
    Backend,
    check,
    done_parts,
    make_spec,
    prepare,
    run_local,
)
from brinkmanship.cli_llm import LLMApiKeyFileOpt, LLMApiKeyOpt, LLMBaseUrlOpt, use_llm_endpoint
from brinkmanship.engine.reference import ReferenceEngine
from brinkmanship.errors import BrinkError
from brinkmanship.narrative import jsonl_lines, text_lines
from brinkmanship.policies.registry import (
    BUILTINS,
    default_policy,
    parse_assignments,
    policy_set,
)
from brinkmanship.policies.usage import policy_usage
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import builtin_names, load_scenario, read_source, validate_source
from brinkmanship.scenario.timeutil import format_duration

app = typer.Typer(
    name="brink",
    help="Simulate nuclear crisis bargaining, grounded in the historical record.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

ScenarioArg = Annotated[
    str, typer.Argument(help="A built-in scenario id (see `brink scenarios`) or a YAML file.")
]
InterventionOpt = Annotated[
    list[str] | None,
    typer.Option("--intervention", "-i", help="Apply a named intervention (repeatable)."),
]
PolicyOpt = Annotated[
    list[str] | None,
    typer.Option("--policy", "-p", help="ACTOR=POLICY[:key=value,...] (repeatable)."),
]


EngineOpt = Annotated[
    str,
    typer.Option(
        help="reference, batch (compiled, many runs at once) or auto: batch when every "
        "policy allows it. Results are identical run for run."
    ),
]


class Format(str, Enum):
    """Output formats of ``brink run``."""

    text = "text"
    jsonl = "jsonl"


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    for name in builtin_names():
        sc = load_scenario(name)
        _out(f"{name:<16} {sc.title}")


@app.command()
def show(scenario: ScenarioArg, intervention: InterventionOpt = None) -> None:
    """Show a scenario: actors, actions, channels, outcomes, interventions, sources."""
    sc = load_scenario(scenario, intervention or [])
    _show(sc, Console(highlight=False, soft_wrap=False))


def _show(sc: CompiledScenario, console: Console) -> None:
    console.print(f"[bold]{sc.title}[/bold] ({sc.id})")
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
            format_duration(act.delay_ticks * sc.tick),
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
        lat = f"{ch.latency.kind} " + "/".join(f"{s / 3600:g}h" for s in ch.latency.seconds)
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
    for col in ("id", "description"):
        interventions.add_column(col)
    for i in sc.interventions.values():
        interventions.add_row(i.id, i.description.strip())
    console.print(interventions)

    sources = Table(title="Sources")
    for col in ("id", "title", "url"):
        sources.add_column(col)
    for sid, src in sc.bibliography.items():
        sources.add_row(sid, src.title, src.url or "")
    console.print(sources)


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files or built-in ids.")],
) -> None:
    """Check scenario files: schema, references, expressions, and every intervention."""
    failed = 0
    for ref in files:
        try:
            sc = validate_source(read_source(ref))
        except BrinkError as exc:
            failed += 1
            sys.stderr.write(f"{exc}\n")
            continue
        _out(
            f"{ref}: ok ({sc.id}: {len(sc.actors)} actors, {len(sc.actions)} actions, "
            f"{len(sc.events)} events, {len(sc.interventions)} interventions)"
        )
    if failed:
        raise typer.Exit(2)


@app.command()
def run(
    ctx: typer.Context,
    scenario: ScenarioArg,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    run_index: Annotated[
        int, typer.Option("--run", help="Run index within the seed's stream.")
    ] = 0,
    policy: PolicyOpt = None,
    intervention: InterventionOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text or jsonl.")] = Format.text,
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Play one run and print its trajectory."""
    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    if not 0 <= seed < 2**63:
        raise BrinkError(f"--seed must be in [0, 2**63), got {seed}")
    if run_index < 0:
        raise BrinkError(f"--run must be >= 0, got {run_index}")
    sc = load_scenario(scenario, intervention or [])
    policies = policy_set(sc, parse_assignments(policy or [], sc))
    made = policies.make()
    result = ReferenceEngine(sc).run(seed, run_index, made, dict(policies.specs))
    usage = policy_usage(made)  # language-model calls, tokens, latency; empty for most
    lines = jsonl_lines(result, usage) if fmt is Format.jsonl else text_lines(sc, result, usage)
    for line in lines:
        _out(line)


def _wide_console() -> Console:
    """A console for tables: the terminal's width, or 140 columns when piped."""
    probe = Console()
    return Console(highlight=False, width=None if probe.is_terminal else 140)


def _job(
    scenario: str,
    seed: int,
    policy: list[str] | None,
    intervention: list[str] | None,
    engine: str = "auto",
) -> tuple[Job, CompiledScenario]:
    if not 0 <= seed < 2**63:
        raise BrinkError(f"--seed must be in [0, 2**63), got {seed}")
    sc = load_scenario(scenario, intervention or [])
    specs = policy_set(sc, parse_assignments(policy or [], sc)).specs
    job = Job(scenario, seed, tuple(intervention or ()), tuple(sorted(specs.items())), (), engine)
    job.resolved_engine()  # an engine the policies cannot use is refused before any run
    return job, sc


class _Rate(ProgressColumn):
    """Runs per second so far."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed
        if not elapsed or not task.completed:
            return Text("")
        return Text(f"{task.completed / elapsed:,.0f} runs/s")


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[int], None] | None]:
    """A transient bar on stderr (runs done, rate, elapsed, ETA) when stderr is a terminal;
    yields the function that advances it (None when there is no bar)."""
    console = Console(stderr=True)
    if not console.is_terminal or total < 1:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


_T = TypeVar("_T")


def _run_with_progress(
    label: str, total: int, work: Callable[[Callable[[int], None]], _T], note: str = ""
) -> _T:
    """``work(advance)`` with a progress bar over ``total`` runs; on Ctrl-C one line
    (runs done, and ``note``) and exit code 130."""
    done = 0
    try:
        with _progress(label, total) as bar:

            def advance(n: int) -> None:
                nonlocal done
                done += n
                if bar:
                    bar(n)

            return work(advance)
    except KeyboardInterrupt:
        sys.stderr.write(f"interrupted after {done:,} of {total:,} runs{note}\n")
        raise typer.Exit(130) from None


def _check_counts(runs: int, workers: int | None) -> None:
    if runs < 1:
        raise BrinkError(f"--runs must be at least 1, got {runs}")
    if workers is not None and workers < 1:
        raise BrinkError(f"--workers must be at least 1, got {workers}")


def _mc_runs(
    job: Job, sc: CompiledScenario, runs: int, workers: int | None, out: Path | None
) -> Tally:
    """The tally of ``runs`` runs; with ``out``, also one row per run written as they
    arrive (the file gets its name only when every run is in it)."""
    label = f"{sc.id}: {runs} runs"
    _check_counts(runs, workers)
    if out is None:
        return _run_with_progress(
            label, runs, lambda advance: tally_many(job, runs, workers, on_progress=advance)
        )
    writer = RunWriter(out, sc, job)  # checks the path before any run
    return _run_with_progress(
        label,
        runs,
        lambda advance: write_runs(writer, runs, workers, on_progress=advance),
        f"; {out} was not written",
    )


def _summary_json(job: Job, summary: Summary, elapsed: float) -> dict[str, object]:
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
                "hours_to_resolution": None
                if o.hours is None
                else dict(zip(("q1", "median", "q3"), o.hours, strict=True)),
                "peak_escalation": None
                if o.peak is None
                else dict(zip(("q1", "median", "q3"), o.peak, strict=True)),
            }
            for o in summary.outcomes.values()
        },
        "elapsed_s": round(elapsed, 3),
        "version": __version__,
    }


@app.command()
def mc(
    ctx: typer.Context,
    scenario: ScenarioArg,
    runs: Annotated[int, typer.Option(help="Number of runs.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    policy: PolicyOpt = None,
    intervention: InterventionOpt = None,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    out: Annotated[
        Path | None, typer.Option(help="Also write one row per run to this new Parquet file.")
    ] = None,
    engine: EngineOpt = "auto",
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Monte Carlo: outcome probabilities with 95% Wilson intervals, time to resolution,
    peak escalation."""
    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    job, sc = _job(scenario, seed, policy, intervention, engine)
    started = time.perf_counter()
    tally = _mc_runs(job, sc, runs, workers, out)
    elapsed = time.perf_counter() - started
    summary = tally.summary(sc)
    if as_json:
        _out(json.dumps(_summary_json(job, summary, elapsed)))
        return
    console = _wide_console()
    console.print(
        f"{sc.title} — {runs} runs, seed {seed}, interventions: "
        f"{', '.join(job.interventions) or 'none'}, {job.resolved_engine()} engine, "
        f"brinkmanship {__version__}"
    )
    console.print("policies: " + ", ".join(f"{a}={p}" for a, p in job.policies))
    table = Table()
    for col in (
        "outcome",
        "class",
        "count",
        "p",
        "95% CI",
        "hours to end (q1/med/q3)",
        "peak esc.",
    ):
        table.add_column(col)
    for o in summary.outcomes.values():
        hours = "-" if o.hours is None else "/".join(f"{h:.0f}" for h in o.hours)
        peak = "-" if o.peak is None else f"{o.peak[1]:g}"
        table.add_row(
            o.id, o.cls, str(o.count), f"{o.p:.3f}", f"{o.ci_low:.3f}–{o.ci_high:.3f}", hours, peak
        )
    console.print(table)
    console.print(f"{elapsed:.1f} s ({runs / elapsed:,.0f} runs/s)")


@app.command()
def compare(
    ctx: typer.Context,
    scenario: ScenarioArg,
    intervention: Annotated[
        list[str], typer.Option("--intervention", "-i", help="Intervention(s) to compare.")
    ],
    runs: Annotated[int, typer.Option(help="Runs per arm.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    policy: PolicyOpt = None,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    engine: EngineOpt = "auto",
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Each intervention against the baseline on the same random draws (paired)."""
    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    base_job, sc = _job(scenario, seed, policy, [], engine)
    for name in intervention:
        _job(scenario, seed, policy, [name], engine)  # every name checked before any run
    _check_counts(runs, workers)
    arms = Arms(
        base_job,
        tuple(Job(scenario, seed, (name,), base_job.policies, (), engine) for name in intervention),
    )
    total = runs * (1 + len(intervention))
    _, pairings = _run_with_progress(
        f"baseline and {len(intervention)} intervention(s)",
        total,
        lambda advance: compare_many(arms, runs, workers, on_progress=advance),
    )
    report: dict[str, list[Difference]] = {
        name: pairing.differences(sc) for name, pairing in zip(intervention, pairings, strict=True)
    }
    if as_json:
        _out(
            json.dumps(
                {
                    "scenario": scenario,
                    "runs": runs,
                    "seed": seed,
                    "policies": dict(base_job.policies),
                    "engine": base_job.resolved_engine(),
                    "interventions": {
                        name: {d.outcome: asdict(d) for d in diffs}
                        for name, diffs in report.items()
                    },
                    "version": __version__,
                }
            )
        )
        return
    console = _wide_console()
    console.print(f"{sc.title} — {runs} paired runs per arm, seed {seed}")
    for name, diffs in report.items():
        table = Table(title=f"{name} vs baseline")
        for col in ("outcome", "baseline", name, "difference", "95% CI (paired)", "± unpaired"):
            table.add_column(col)
        for d in diffs:
            table.add_row(
                d.outcome,
                f"{d.p_baseline:.3f}",
                f"{d.p_treated:.3f}",
                f"{d.diff:+.3f}",
                f"{d.ci_low:+.3f} … {d.ci_high:+.3f}",
                f"±{d.unpaired_half_width:.3f}",
            )
        console.print(table)


@app.command()
def sweep(
    ctx: typer.Context,
    scenario: ScenarioArg,
    param: Annotated[list[str], typer.Option("--param", help="NAME=LOW:HIGH:STEPS (repeatable).")],
    out: Annotated[Path, typer.Option(help="Directory for the manifest and Parquet parts.")],
    runs: Annotated[int, typer.Option(help="Runs per point.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed, 0 <= seed < 2**63.")] = 0,
    samples: Annotated[
        int | None,
        typer.Option(help="Latin hypercube with this many points instead of a grid."),
    ] = None,
    policy: PolicyOpt = None,
    intervention: InterventionOpt = None,
    chunk: Annotated[int, typer.Option(help="Runs per part (the checkpoint unit).")] = 256,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes (default: all cores); with --backend ray, the CPUs of the local "
            "cluster, or the tasks in flight on an existing one."
        ),
    ] = None,
    resume: Annotated[bool, typer.Option(help="Finish an interrupted sweep in --out.")] = False,
    backend: Annotated[
        Backend,
        typer.Option(help="local: processes on this machine; ray: Ray tasks on a cluster."),
    ] = Backend.local,
    address: Annotated[
        str | None,
        typer.Option(
            help="With --backend ray: the cluster's head, HOST:PORT (e.g. 10.0.0.5:6379), or "
            "auto; run on a node of that cluster. Without it a local cluster is started."
        ),
    ] = None,
    engine: EngineOpt = "auto",
    llm_base_url: LLMBaseUrlOpt = None,
    llm_api_key: LLMApiKeyOpt = None,
    llm_api_key_file: LLMApiKeyFileOpt = None,
) -> None:
    """Sweep scenario parameters over a grid or a Latin hypercube; results as Parquet parts
    plus a manifest, queryable with `brink query DIR`."""
    if address is not None and backend is not Backend.ray:
        raise BrinkError("--address is for the Ray backend; add --backend ray")
    if address is not None and (llm_base_url or llm_api_key or llm_api_key_file):
        raise BrinkError(
            "--llm-* flags cannot reach the workers of an existing Ray cluster (--address); "
            "give base_url= in the policy spec and set BRINK_LLM_API_KEY on the cluster's nodes"
        )
    use_llm_endpoint(ctx, llm_base_url, llm_api_key, llm_api_key_file)
    job, sc = _job(scenario, seed, policy, intervention, engine)
    axes = [Axis.parse(p) for p in param]
    for axis in axes:
        info = sc.parameters.get(axis.name)
        if info is not None and info.range is not None:
            lo, hi = info.range
            if axis.low < lo or axis.high > hi:
                raise BrinkError(
                    f"--param {axis.name}: [{axis.low:g}, {axis.high:g}] leaves the parameter's "
                    f"range [{lo:g}, {hi:g}]"
                )
    spec = make_spec(
        scenario,
        seed,
        runs,
        chunk,
        job.interventions,
        job.policies,
        axes,
        list(sc.parameters),
        samples,
        job.resolved_engine(),
    )
    check(spec, out, resume)  # before any cluster starts; nothing written yet
    session: AbstractContextManager[Cluster | None] = (
        connect(address, workers) if backend is Backend.ray else nullcontext()
    )
    try:
        with session as cluster:
            todo = prepare(spec, out, resume)
            total = sum(e - s for _, s, e in todo)
            with _progress(f"{len(spec.points)} points", total) as advance:
                if cluster is None:
                    run_local(spec, out, todo, workers, advance)
                else:
                    run_ray(cluster, spec, out, todo, workers, advance)
    except KeyboardInterrupt:
        kept = len(done_parts(out)) if (out / PARTS).is_dir() else 0
        sys.stderr.write(
            f"interrupted: {kept} of {len(spec.units())} parts are kept in {out}; "
            "run the same command with --resume to finish\n"
        )
        raise typer.Exit(130) from None
    _out(
        f"{out}: {len(spec.points)} points × {runs} runs done on the {spec.engine} engine "
        f"({total} run now, "
        f'{len(spec.points) * runs - total} already there); query with: brink query {out} "SQL"'
    )


@app.command("query")
def query_results(
    path: Annotated[Path, typer.Argument(help="A results file (brink mc --out) or a directory.")],
    sql: Annotated[str, typer.Argument(help="SQL over the view `runs`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print rows as JSON objects.")] = False,
) -> None:
    """SQL (DuckDB) over run results: the view `runs` has one row per run."""
    columns, rows = query(path, sql)
    if as_json:
        for row in rows:
            _out(json.dumps(dict(zip(columns, row, strict=True)), default=str))
        return
    table = Table()
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    _wide_console().print(table)


@app.command()
def policies(
    scenario: Annotated[
        str | None, typer.Argument(help="Also list this scenario's own policies per actor.")
    ] = None,
) -> None:
    """List the available policies, their parameters, and a scenario's own policies."""
    _out("Built-in policies (any actor; parameters as NAME:key=value,...):")
    for p in BUILTINS.values():
        _out(f"  {p.name:<12} {p.description}")
        for spec in p.params:
            bounds = f" in [{spec.low:g}, {spec.high:g}]" if spec.low is not None else ""
            _out(f"  {'':<12}   {spec.name}={spec.default} — {spec.help}{bounds}")
    if scenario is None:
        return
    sc = load_scenario(scenario)
    _out(f"\nPolicies in {sc.id} (scenario data):")
    for actor in sc.actors.values():
        default = default_policy(sc, actor.id)
        for name, data in actor.policies.items():
            mark = " (default)" if name == default else ""
            label = f"{actor.id}={name}"
            _out(f"  {label:<28} {data.kind}{mark}: {data.description.strip()}")


@app.command()
def version() -> None:
    """Print the version."""
    _out(__version__)


# Larger commands live in their own modules and register themselves on `app` when imported.
from brinkmanship import cli_eval, cli_play, cli_report, cli_serve  # noqa: E402, F401


def main() -> None:
    """Entry point: user errors become one message on stderr and exit code 2."""
    try:
        app()
    except BrinkError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    # `python -m brinkmanship.cli` runs this file as `__main__`, a second copy of the module:
    # the command modules register on `brinkmanship.cli.app`, so run that copy's entry point.
    from brinkmanship.cli import main as cli_main

    cli_main()

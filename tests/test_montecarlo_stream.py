"""Streaming Monte Carlo: bounded tallies give exactly the numbers the full list of runs
gives, however the work is split; the Parquet file streams; memory does not grow with the
number of runs; Ctrl-C stops at once, with one line, exit 130, and nothing half-written."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brinkmanship.analysis import results as results_module
from brinkmanship.analysis.compare import Arms, Pairing, compare, compare_many
from brinkmanship.analysis.montecarlo import (
    Job,
    OutcomeStats,
    RunSummary,
    Summary,
    Tally,
    run_chunk,
    tally_chunk,
    tally_many,
)
from brinkmanship.analysis.results import RunWriter, to_table, write_runs
from brinkmanship.analysis.stats import (
    counted_quartiles,
    quartiles,
    wilson,
)
from brinkmanship.cli.progress import run_with_progress
from brinkmanship.scenario.compiled import CompiledScenario
from brinkmanship.scenario.loader import load_scenario
from cli_runner import run_brink

JOB = Job("standoff", 11)
ARMS = ("two-officers", "hotline", "hair-trigger")


def listed_summary(sc: CompiledScenario, results: list[RunSummary]) -> Summary:
    """The summary as computed before streaming: from the full list of runs."""
    n = len(results)
    stats = {}
    for outcome in sc.outcomes.values():
        mine = [r for r in results if r.outcome == outcome.id]
        low, high = wilson(len(mine), n)
        peaks = [r.peak_escalation for r in mine if r.peak_escalation is not None]
        stats[outcome.id] = OutcomeStats(
            id=outcome.id,
            cls=outcome.cls.value,
            count=len(mine),
            p=len(mine) / n,
            ci_low=low,
            ci_high=high,
            hours=quartiles([r.tick * sc.tick_hours for r in mine]) if mine else None,
            peak=quartiles(peaks) if peaks else None,
            decided_hours=(
                quartiles(
                    [(r.tick if r.decided is None else r.decided) * sc.tick_hours for r in mine]
                )
                if mine
                else None
            ),
        )
    return Summary(n, stats)


@pytest.fixture(scope="module")
def sc() -> CompiledScenario:
    return load_scenario("standoff")


@pytest.fixture(scope="module")
def whole() -> list[RunSummary]:
    return run_chunk(JOB, 0, 400)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    runs=st.integers(1, 400),
    chunk=st.integers(1, 90),
    workers=st.sampled_from([1, 2]),
)
def test_streamed_summary_equals_the_list_based_one(
    sc: CompiledScenario, whole: list[RunSummary], runs: int, chunk: int, workers: int
) -> None:
    streamed = tally_many(JOB, runs, workers=workers, chunk=chunk).summary(sc)
    assert streamed == listed_summary(sc, whole[:runs])


def test_the_summary_covers_timing_and_peaks(sc: CompiledScenario, whole: list[RunSummary]) -> None:
    """The equality above is not vacuous: several outcomes, with times and peaks."""
    summary = Tally.of(whole).summary(sc)
    assert sum(o.count for o in summary.outcomes.values()) == len(whole)
    timed = [o for o in summary.outcomes.values() if o.hours is not None and o.peak is not None]
    assert len(timed) >= 2


@given(st.lists(st.sampled_from([0.0, 0.5, 1.25, 2.0, 3.0, 7.5, 10.0]), min_size=1, max_size=60))
def test_counted_quartiles_are_the_quartiles_of_the_expanded_list(values: list[float]) -> None:
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    assert counted_quartiles(counts) == quartiles(values)
    expected = np.percentile(values, [25, 50, 75])
    assert np.allclose(quartiles(values), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_comparison_equals_the_list_based_one(
    sc: CompiledScenario, whole: list[RunSummary], workers: int
) -> None:
    runs = 300
    arms = Arms(JOB, tuple(Job(JOB.scenario, JOB.seed, (name,)) for name in ARMS))
    tally, pairings = compare_many(arms, runs, workers=workers, chunk=37)
    assert tally.summary(sc) == listed_summary(sc, whole[:runs])
    for job, pairing in zip(arms.treated, pairings, strict=True):
        listed = compare(sc, whole[:runs], run_chunk(job, 0, runs))
        assert pairing.differences(sc) == listed
        assert any(d.diff != 0 for d in listed)


def test_pairings_of_chunks_merge_to_the_pairing_of_all(whole: list[RunSummary]) -> None:
    treated = run_chunk(Job(JOB.scenario, JOB.seed, ("hotline",)), 0, len(whole))
    merged = Pairing()
    for s in range(0, len(whole), 64):
        merged.merge(Pairing.of(whole[s : s + 64], treated[s : s + 64]))
    assert merged == Pairing.of(whole, treated)
    with pytest.raises(ValueError, match="same runs"):
        Pairing.of(whole[:10], treated[1:11])


def test_parquet_streams_the_same_table(
    sc: CompiledScenario, whole: list[RunSummary], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results_module, "ROWS_PER_GROUP", 50)  # several row groups
    out = tmp_path / "runs.parquet"
    tally = write_runs(RunWriter(out, sc, JOB), 300, workers=2, chunk=23)
    assert tally == Tally.of(whole[:300])
    written = pq.read_table(out)
    expected = to_table(sc, JOB, whole[:300])
    assert written.equals(expected)
    assert written.schema.metadata == expected.schema.metadata
    assert pq.ParquetFile(out).num_row_groups > 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.parquet"]


def test_a_failed_write_leaves_no_file(sc: CompiledScenario, tmp_path: Path) -> None:
    out = tmp_path / "runs.parquet"
    with pytest.raises(RuntimeError), RunWriter(out, sc, JOB) as writer:
        writer.write(run_chunk(JOB, 0, 10))
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


MEMORY_PROBE = """
import resource, sys
from brinkmanship.analysis.montecarlo import Job, tally_many
job = Job("standoff", 1, engine="batch")
tally = tally_many(job, int(sys.argv[1]), workers=1, chunk=4096)
assert tally.runs == int(sys.argv[1])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(runs: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(runs)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return int(done.stdout.split()[-1])


def test_peak_memory_does_not_grow_with_the_number_of_runs() -> None:
    """Ten times the runs in the same peak memory (a list of one summary per run would add
    ~36 MiB at 200,000 runs)."""
    _peak_kib(1)  # compiles the batch engine if its cache is stale
    small, large = _peak_kib(20_000), _peak_kib(200_000)
    assert large - small < 16 * 1024, (small, large)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found += [int(c) for c in text.split()]
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _interrupt(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Start ``brink ARGS``, wait until its worker processes run, send SIGINT; the result,
    once the workers are gone too."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "brinkmanship.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 120
        while len(_children(proc.pid)) < 2:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.1)
        time.sleep(1.5)
        workers = _children(proc.pid)
        assert proc.poll() is None, "it finished before it could be interrupted"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
        assert time.monotonic() - sent < 5, "Ctrl-C did not stop it within seconds"
        while any(_alive(w) for w in workers):
            assert time.monotonic() - sent < 10, "the worker processes outlived the driver"
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def test_ctrl_c_stops_mc_at_once_and_writes_nothing(tmp_path: Path) -> None:
    runs = 10_000_000
    out = tmp_path / "runs.parquet"
    args = ["mc", "standoff", "--engine", "reference", "--runs", str(runs), "--workers", "2"]
    done = _interrupt([*args, "--out", str(out)], tmp_path)
    assert done.returncode == 130, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    match = re.fullmatch(
        r"interrupted after ([\d,]+) of 10,000,000 runs; (.+) was not written", lines[0]
    )
    assert match, lines[0]
    assert 0 <= int(match.group(1).replace(",", "")) < runs  # chunks of 256 runs take seconds
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary


def test_ctrl_c_stops_compare_at_once(tmp_path: Path) -> None:
    args = ["compare", "standoff", "--engine", "reference", "--runs", "1000000", "-i", "hotline"]
    done = _interrupt([*args, "--workers", "2"], tmp_path)
    assert done.returncode == 130, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert re.fullmatch(r"interrupted after [\d,]+ of 2,000,000 runs\n", done.stderr)


def test_the_interrupt_line_counts_the_runs_done(capsys: pytest.CaptureFixture[str]) -> None:
    def work(advance: Callable[[int], None]) -> None:
        advance(256)
        advance(100)
        raise KeyboardInterrupt

    with pytest.raises(typer.Exit) as stopped:
        run_with_progress("runs", 1000, work, "; x was not written")
    assert stopped.value.exit_code == 130
    assert capsys.readouterr().err == "interrupted after 356 of 1,000 runs; x was not written\n"


@pytest.mark.parametrize("scenario", ["standoff", "cuba-1962"])
def test_batch_tallies_from_arrays_equal_tallies_of_summaries(scenario: str) -> None:
    job = Job(scenario, 5, engine="batch")
    direct = tally_chunk(job, 3, 203)
    assert direct == Tally.of(run_chunk(job, 3, 203))
    assert direct.runs == 200 and direct.peaks  # peaks are counted, not dropped
    assert direct.summary(load_scenario(scenario)).runs == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mc", "standoff", "--runs", "5", "--workers", "0"], "--workers must be at least 1"),
        (["compare", "standoff", "-i", "hotline", "--workers", "-1"], "--workers must be at"),
        (["compare", "standoff", "-i", "hotline", "--runs", "0"], "--runs must be at least 1"),
        (["mc", "standoff", "--runs", "5", "--out", "no/runs.parquet"], "directory no does not"),
    ],
)
def test_bad_counts_and_paths_are_one_message(
    args: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_brink(args, capsys, monkeypatch)
    assert code == 2
    assert err.startswith(f"error: {message}") and len(err.splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []  # nothing written

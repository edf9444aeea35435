"""Sweeps: designs, identical results however the work is split or interrupted."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from brinkmanship.analysis.sweep import Axis, grid, latin_hypercube, make_spec, prepare, run_local
from brinkmanship.errors import BrinkError
from cli_runner import run_brink

CLI = [sys.executable, "-m", "brinkmanship.cli"]
PARAMS = ["--param", "incident_rate=0:0.04:3"]


def content_hash(out: Path) -> str:
    """A hash of every row of every part, sorted by (point, run)."""
    rows: list[tuple[object, ...]] = []
    for part in sorted((out / "parts").glob("*.parquet")):
        table = pq.read_table(part)
        rows += list(
            zip(*(table.column(c).to_pylist() for c in sorted(table.column_names)), strict=True)
        )
    rows.sort(key=lambda r: json.dumps(r, default=str))
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def sweep_cli(
    out: Path, *extra: str, runs: int = 240, chunk: int = 40
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *CLI,
            "sweep",
            "standoff",
            *PARAMS,
            "--runs",
            str(runs),
            "--chunk",
            str(chunk),
            "--out",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_grid_and_latin_hypercube() -> None:
    axes = [Axis.parse("a=0:1:3"), Axis.parse("b=10:20:2")]
    points = grid(axes)
    assert len(points) == 6 and {p["a"] for p in points} == {0.0, 0.5, 1.0}
    assert Axis.parse("p=0:0.2:5").values() == [0.0, 0.05, 0.1, 0.15, 0.2]  # no 0.1500…02
    assert Axis.parse("p=-1:1:3").values() == [-1.0, 0.0, 1.0]
    assert Axis.parse("p=0:3e-15:4").values() == [0.0, 1e-15, 2e-15, 3e-15]  # small stay
    lhs = latin_hypercube(axes, 10, seed=4)
    assert lhs == latin_hypercube(axes, 10, seed=4)
    for axis in axes:
        strata = sorted(int((p[axis.name] - axis.low) / (axis.high - axis.low) * 10) for p in lhs)
        assert strata == list(range(10))  # every stratum used exactly once


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a=1:0:2", "greater than HIGH"),
        ("a=0:1", "NAME=LOW:HIGH:STEPS"),
        ("a=0:1:0", "at least 1"),
        ("a=x:1:2", "must be numbers"),
    ],
)
def test_bad_axes(text: str, fragment: str) -> None:
    with pytest.raises(BrinkError, match=fragment):
        Axis.parse(text)


def test_results_do_not_depend_on_the_engine(tmp_path: Path) -> None:
    axes = [Axis.parse(PARAMS[1])]
    hashes = {}
    for engine in ("reference", "batch"):
        spec = make_spec("standoff", 2, 80, 30, (), (), axes, ["incident_rate"], None, engine)
        out = tmp_path / engine
        run_local(spec, out, prepare(spec, out, False), workers=1)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["engine"] == engine
        hashes[engine] = content_hash(out)
    assert hashes["reference"] == hashes["batch"]
    with pytest.raises(BrinkError, match="unknown engine 'auto'"):  # a spec holds a resolved one
        make_spec("standoff", 2, 80, 30, (), (), axes, ["incident_rate"], None, "auto")


def test_results_do_not_depend_on_chunks_or_workers(tmp_path: Path) -> None:
    axes = [Axis.parse("incident_rate=0:0.04:2")]
    declared = ["incident_rate"]
    small = make_spec("standoff", 1, 60, 7, (), (), axes, declared, None)
    large = make_spec("standoff", 1, 60, 60, (), (), axes, declared, None)
    run_local(small, tmp_path / "a", prepare(small, tmp_path / "a", False), workers=1)
    run_local(large, tmp_path / "b", prepare(large, tmp_path / "b", False), workers=2)
    assert content_hash(tmp_path / "a") == content_hash(tmp_path / "b")


# Interrupted sweeps: one run per part, so that even a fast engine leaves time to stop
# the sweep half-way (each part is a file written by the driver).
STOP_RUNS, STOP_PARTS = 100, 300  # 3 points × 100 parts


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The content hash of the uninterrupted sweep, run in this process (other chunks, and
    the reference engine, where ``brink sweep`` picks the batch engine)."""
    out = tmp_path_factory.mktemp("whole") / "sweep"
    axes = [Axis.parse(PARAMS[1])]
    spec = make_spec(
        "standoff", 0, STOP_RUNS, 40, (), (), axes, ["incident_rate"], None, "reference"
    )
    run_local(spec, out, prepare(spec, out, False), workers=1)
    return content_hash(out)


def start_sweep(out: Path, *extra: str, at_least: int = 3) -> subprocess.Popen[str]:
    """Start a one-run-per-part sweep in its own process group; return once ``at_least``
    parts exist."""
    proc = subprocess.Popen(
        [*CLI, "sweep", "standoff", *PARAMS, *stop_args(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while len(list((out / "parts").glob("*.parquet"))) < at_least:
        assert proc.poll() is None, "the sweep finished before it could be stopped; make it longer"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return proc


def stop_args(out: Path) -> tuple[str, ...]:
    return ("--runs", str(STOP_RUNS), "--chunk", "1", "--out", str(out))


def test_kill_9_then_resume_equals_an_uninterrupted_sweep(whole: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    proc = start_sweep(broken, "--workers", "1")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    parts = len(list((broken / "parts").glob("*.parquet")))
    assert 3 <= parts < STOP_PARTS
    resumed = sweep_cli(broken, "--resume", runs=STOP_RUNS, chunk=1)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{STOP_PARTS - parts} run now, {parts} already there" in resumed.stdout
    assert content_hash(broken) == whole
    assert not list((broken / "parts").glob(".*"))


def test_ctrl_c_stops_at_once_keeps_parts_and_resume_finishes(whole: str, tmp_path: Path) -> None:
    out = tmp_path / "stopped"
    proc = start_sweep(out, "--workers", "2")
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the driver and its workers
    stopped = time.monotonic()
    _, stderr = proc.communicate(timeout=60)
    assert time.monotonic() - stopped < 10  # not after the remaining parts
    assert proc.returncode == 130
    parts = len(list((out / "parts").glob("*.parquet")))
    assert stderr == (
        f"interrupted: {parts} of {STOP_PARTS} parts are kept in {out}; "
        "run the same command with --resume to finish\n"
    )
    assert 3 <= parts < STOP_PARTS
    resumed = sweep_cli(out, "--resume", runs=STOP_RUNS, chunk=1)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{STOP_PARTS - parts} run now, {parts} already there" in resumed.stdout
    assert content_hash(out) == whole


def test_bad_sweeps_change_nothing(tmp_path: Path) -> None:
    out = tmp_path / "s"
    assert sweep_cli(out, runs=40).returncode == 0
    before = content_hash(out)
    again = sweep_cli(out, runs=40)
    assert again.returncode == 2 and "add --resume" in again.stderr
    other = sweep_cli(out, "--resume", runs=50)
    assert other.returncode == 2 and "holds a different sweep" in other.stderr
    unknown = subprocess.run(
        [*CLI, "sweep", "standoff", "--param", "nope=0:1:2", "--runs", "5", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert unknown.returncode == 2 and "valid parameters:" in unknown.stderr
    zero = sweep_cli(tmp_path / "z", runs=0)
    assert zero.returncode == 2 and "--runs must be at least 1" in zero.stderr
    assert content_hash(out) == before
    assert "Traceback" not in again.stderr + other.stderr + unknown.stderr + zero.stderr


def small(out: Path, *extra: str, runs: int = 40) -> list[str]:
    """``brink sweep`` arguments for a small standoff sweep (3 points), in one process."""
    size = ["--runs", str(runs), "--chunk", "20", "--workers", "1"]
    return ["sweep", "standoff", *PARAMS, *size, "--out", str(out), *extra]


def refused(result: tuple[int, str, str], message: str) -> None:
    """One line on stderr, exit code 2, nothing on stdout."""
    code, out, err = result
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err, err
    assert out == ""


Cap = pytest.CaptureFixture[str]


def test_the_engine_is_part_of_the_sweep(
    tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "s"
    code, stdout, err = run_brink(small(out, "--engine", "reference"), capsys, monkeypatch)
    assert code == 0, err
    assert "done on the reference engine" in stdout
    before = content_hash(out)
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert json.loads(manifest)["engine"] == "reference"
    for engine in ("batch", "auto"):  # auto picks batch for standoff's default policies
        other = run_brink(small(out, "--resume", "--engine", engine), capsys, monkeypatch)
        refused(other, "started on the reference engine; resume it with --engine reference")
    unrecorded = tmp_path / "unrecorded"  # a manifest from before engines were recorded
    (unrecorded / "parts").mkdir(parents=True)
    (unrecorded / "manifest.json").write_text(
        json.dumps({k: v for k, v in json.loads(manifest).items() if k != "engine"}),
        encoding="utf-8",
    )
    refused(
        run_brink(small(unrecorded, "--resume"), capsys, monkeypatch), "holds a different sweep"
    )
    code, stdout, err = run_brink(
        small(out, "--resume", "--engine", "reference"), capsys, monkeypatch
    )
    assert code == 0 and "0 run now, 120 already there" in stdout, err
    assert (out / "manifest.json").read_text(encoding="utf-8") == manifest
    assert content_hash(out) == before


def test_batch_engine_with_a_reference_only_policy_writes_nothing(
    tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "rational"
    args = small(out, "--engine", "batch", "-p", "west=rational")
    refused(run_brink(args, capsys, monkeypatch), "--engine batch: policy 'rational' for 'west'")
    refused(run_brink(small(out, "--engine", "fast"), capsys, monkeypatch), "unknown engine 'fast'")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "0"], "--runs must be at least 1, got 0"),
        (["--runs", "-5"], "--runs must be at least 1, got -5"),
        (["--param", "incident_rate=0.04:0:3"], "LOW 0.04 is greater than HIGH 0"),
        (["--param", "nope=0:1:2"], "unknown parameter 'nope'; valid parameters:"),
        (["--param", "incident_rate=0:7:2"], "leaves the parameter's range"),
        (["--chunk", "0"], "--chunk must be at least 1"),
        (["--samples", "0"], "--samples must be at least 1"),
        (["--seed", "-1"], "--seed must be in [0, 2**63)"),
    ],
)
def test_bad_input_is_one_message_and_creates_nothing(
    tmp_path: Path, args: list[str], message: str, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "new"
    refused(run_brink(small(out, *args), capsys, monkeypatch), message)
    assert not out.exists()


def test_an_output_directory_with_other_contents_is_left_alone(
    tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine", encoding="utf-8")
    for extra in ((), ("--resume",)):
        refused(run_brink(small(stranger, *extra), capsys, monkeypatch), "holds no sweep manifest")
    assert [p.name for p in stranger.iterdir()] == ["notes.txt"]
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    refused(
        run_brink(small(broken, "--resume"), capsys, monkeypatch), "manifest.json is unreadable"
    )
    assert [p.name for p in broken.iterdir()] == ["manifest.json"]


def test_query_reads_every_part_and_refuses_bad_sql(
    tmp_path: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "q"
    code, _, err = run_brink(small(out, runs=30), capsys, monkeypatch)
    assert code == 0, err
    sql = "select point, incident_rate, count(*) as n from runs group by all order by point"
    code, stdout, err = run_brink(["query", str(out), sql, "--json"], capsys, monkeypatch)
    assert code == 0, err
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert rows == [
        {"point": p, "incident_rate": v, "n": 30} for p, v in enumerate([0.0, 0.02, 0.04])
    ]
    refused(run_brink(["query", str(out), "select nope from runs"], capsys, monkeypatch), "nope")
    refused(run_brink(["query", str(tmp_path / "none"), "select 1"], capsys, monkeypatch), "exist")
    (tmp_path / "empty").mkdir()
    empty = run_brink(["query", str(tmp_path / "empty"), "select 1"], capsys, monkeypatch)
    refused(empty, "holds no Parquet results; write some with brink mc --out")


def test_an_unusable_output_place_is_refused_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    for command in (
        ["sweep", "standoff", *PARAMS, "--runs", "5", "--out", str(a_file / "sweep")],
        ["mc", "standoff", "--runs", "5", "--out", str(a_file / "runs.parquet")],
    ):
        code, _, err = run_brink(command, capsys, monkeypatch)
        assert code == 2 and "Traceback" not in err
        assert (
            err.strip()
            == f"error: cannot create {a_file}/"
            + ("sweep/parts" if command[0] == "sweep" else "runs.parquet")
            + f": {a_file} is a file, not a directory"
        )


def test_a_full_disk_is_one_line_and_keeps_what_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[int] = []
    real_write = pq.write_table

    def fills_up(table: pa.Table, where: Path) -> None:
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(1)
        real_write(table, where)

    out = tmp_path / "full"
    args = ["sweep", "standoff", *PARAMS, "--runs", "40", "--chunk", "10", "--workers", "1"]
    monkeypatch.setattr(pq, "write_table", fills_up)
    code, _, err = run_brink([*args, "--out", str(out)], capsys, monkeypatch)
    assert code == 2 and "Traceback" not in err
    assert "No space left on device; 2 finished parts are kept" in err and "--resume" in err
    assert sorted(p.name for p in (out / "parts").iterdir()) == [
        "p00000-r0000000000.parquet",
        "p00000-r0000000010.parquet",
    ]
    monkeypatch.setattr(pq, "write_table", real_write)
    code, _, err = run_brink([*args, "--out", str(out), "--resume"], capsys, monkeypatch)
    assert code == 0, err
    assert len(list((out / "parts").glob("*.parquet"))) == 3 * 4


def test_a_full_disk_during_mc_out_removes_the_partial_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: object, table: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    target = tmp_path / "runs.parquet"
    code, _, err = run_brink(
        ["mc", "standoff", "--runs", "5", "--workers", "1", "--out", str(target)],
        capsys,
        monkeypatch,
    )
    assert code == 2 and "Traceback" not in err
    assert f"could not write {target}: No space left on device" in err
    assert list(tmp_path.iterdir()) == []


def test_resume_removes_dead_writers_temporary_parts_only(tmp_path: Path) -> None:
    spec = make_spec(
        "standoff", 0, 20, 10, (), (), [Axis.parse(PARAMS[1])], ["incident_rate"], None
    )
    out = tmp_path / "s"
    prepare(spec, out, resume=False)
    parts = out / "parts"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_tmp = parts / f".p00000-r0000000000.parquet.{int(dead.stdout)}.tmp"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live_tmp = parts / f".p00000-r0000000010.parquet.{live.pid}.tmp"
        for tmp in (dead_tmp, live_tmp):
            tmp.write_bytes(b"half a part")
        prepare(spec, out, resume=True)
        assert not dead_tmp.exists() and live_tmp.exists()
    finally:
        live.kill()
        live.wait()

"""The Ray backend of ``brink sweep``: identical to the local backend, resumable after
``kill -9`` or Ctrl-C, and one clear message for a cluster that is not there.

One 2-CPU Ray cluster is started for the module (its files kept in a short temporary
directory; token authentication off, so that nothing is written to ``~/.ray``); the
sweeps run as ``brink sweep`` subprocesses that join it with ``--address``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray

from brinkmanship.analysis.raybackend import RayUnavailableError, probe
from brinkmanship.analysis.sweep import Axis, SweepSpec, make_spec, prepare, run_local
from brinkmanship.policies.registry import parse_assignments, policy_set
from brinkmanship.scenario.loader import load_scenario
from test_sweep import CLI, PARAMS, content_hash

RUNS = 100  # per point, 3 points


def sweep(out: Path, chunk: int, *extra: str) -> list[str]:
    """``brink sweep`` arguments; one run per part where a sweep is to be stopped half-way,
    so that even a fast engine leaves time for it."""
    runs = ("--runs", str(RUNS), "--chunk", str(chunk), "--out", str(out))
    return ["sweep", "standoff", *PARAMS, *runs, *extra]


def n_parts(chunk: int) -> int:
    return 3 * -(-RUNS // chunk)


@pytest.fixture(scope="module")
def ray_env() -> Iterator[Path]:
    """A short temporary directory for Ray (unix socket paths are limited to ~107 bytes),
    set in the environment that ``brink`` subprocesses inherit."""
    short = Path(tempfile.mkdtemp(prefix="r", dir="/tmp"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAY_TMPDIR", str(short))
        env.setenv("RAY_AUTH_MODE", "disabled")
        yield short
    shutil.rmtree(short, ignore_errors=True)


@pytest.fixture(scope="module")
def address(ray_env: Path) -> Iterator[str]:
    """A 2-CPU local Ray cluster for the module; its GCS address."""
    ray.init(
        num_cpus=2,
        _temp_dir=str(ray_env),
        include_dashboard=False,
        logging_level=logging.ERROR,
        log_to_driver=False,
    )
    try:
        yield str(ray.get_runtime_context().gcs_address)
    finally:
        ray.shutdown()


def cli_spec(chunk: int, engine: str = "batch") -> SweepSpec:
    """The spec that ``brink sweep`` makes of ``sweep(out, chunk)`` (``--engine auto`` picks
    the batch engine for standoff's default policies)."""
    sc = load_scenario("standoff")
    policies = tuple(sorted(policy_set(sc, parse_assignments([], sc)).specs.items()))
    axis = Axis.parse(PARAMS[1])
    declared = list(sc.parameters)
    return make_spec("standoff", 0, RUNS, chunk, (), policies, [axis], declared, None, engine)


@pytest.fixture(scope="module")
def local_hash(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same sweep on the local backend and the reference engine, in this process, in
    parts of 40 runs: the Ray sweeps (batch engine) must give the same rows."""
    out = tmp_path_factory.mktemp("local") / "sweep"
    spec = cli_spec(40, "reference")
    run_local(spec, out, prepare(spec, out, False), workers=1)
    return content_hash(out)


def brink(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, check=False, timeout=timeout
    )


def parts(out: Path) -> int:
    return len(list((out / "parts").glob("*.parquet")))


def start_and_wait(out: Path, address: str, at_least: int) -> subprocess.Popen[str]:
    """Start a Ray sweep in its own process group; return once ``at_least`` parts exist."""
    proc = subprocess.Popen(
        [*CLI, *sweep(out, 1, "--backend", "ray", "--address", address)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while parts(out) < at_least:
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return proc


def test_a_local_cluster_started_by_brink_gives_the_local_results(
    ray_env: Path, local_hash: str, tmp_path: Path
) -> None:
    # Runs before the module's cluster exists: `--backend ray` alone starts (and stops)
    # its own cluster, here with its files under RAY_TMPDIR.
    out = tmp_path / "own"
    done = brink(*sweep(out, 10, "--backend", "ray", "--workers", "2"))
    assert done.returncode == 0, done.stderr
    assert f"{3 * RUNS} run now" in done.stdout
    assert content_hash(out) == local_hash
    assert list(ray_env.iterdir()), "Ray kept its files elsewhere than RAY_TMPDIR"


def test_ray_sweep_equals_the_local_backend(address: str, local_hash: str, tmp_path: Path) -> None:
    out = tmp_path / "ray"
    done = brink(*sweep(out, 7, "--backend", "ray", "--address", address))
    assert done.returncode == 0, done.stderr
    assert parts(out) == n_parts(7)
    assert content_hash(out) == local_hash  # other parts, same rows
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == {**cli_spec(7).to_json(), "version": manifest["version"]}


def test_kill_9_of_the_driver_then_resume_equals_an_uninterrupted_sweep(
    address: str, local_hash: str, tmp_path: Path
) -> None:
    out = tmp_path / "killed"
    proc = start_and_wait(out, address, at_least=3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    kept = parts(out)
    assert 3 <= kept < n_parts(1), "kill the sweep earlier: it had finished"
    resumed = brink(*sweep(out, 1, "--backend", "ray", "--address", address, "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    assert f"{n_parts(1) - kept} run now, {kept} already there" in resumed.stdout
    assert content_hash(out) == local_hash  # no run lost, none counted twice
    assert not list((out / "parts").glob(".*"))  # no half-written part left


def test_ctrl_c_keeps_finished_parts_and_resume_finishes(
    address: str, local_hash: str, tmp_path: Path
) -> None:
    out = tmp_path / "interrupted"
    proc = start_and_wait(out, address, at_least=2)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.strip().count("\n") == 0 and "--resume" in stderr, stderr
    assert "Traceback" not in stderr
    kept = parts(out)
    assert 2 <= kept < n_parts(1) and f"{kept} of {n_parts(1)} parts are kept" in stderr
    resumed = brink(*sweep(out, 1, "--resume"))  # the local backend may finish it
    assert resumed.returncode == 0, resumed.stderr
    assert content_hash(out) == local_hash


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_an_unreachable_address_is_one_message_and_touches_nothing(tmp_path: Path) -> None:
    dead = f"127.0.0.1:{closed_port()}"
    fresh = tmp_path / "fresh"
    started = time.monotonic()
    done = brink(*sweep(fresh, 1, "--backend", "ray", "--address", dead))
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: no Ray cluster at --address {dead}")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert time.monotonic() - started < 60
    assert not fresh.exists()

    half = tmp_path / "half"  # a sweep with parts missing: --resume must leave it as is
    spec = cli_spec(1)
    run_local(spec, half, prepare(spec, half, False)[:3], workers=1)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in half.rglob("*"))
    again = brink(*sweep(half, 1, "--backend", "ray", "--address", dead, "--resume"))
    assert again.returncode == 2 and "no Ray cluster at --address" in again.stderr
    assert sorted((p.name, p.stat().st_mtime_ns) for p in half.rglob("*")) == before


def test_a_silent_listener_is_given_up_on_in_bounded_time() -> None:
    with socket.socket() as listener:  # accepts connections, never speaks
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        host, port = listener.getsockname()
        started = time.monotonic()
        with pytest.raises(RayUnavailableError, match="no Ray cluster answered"):
            probe(f"{host}:{port}", timeout=3)
        assert time.monotonic() - started < 15


def test_address_without_the_ray_backend_is_refused(tmp_path: Path) -> None:
    done = brink(*sweep(tmp_path / "x", 1, "--address", "127.0.0.1:6379"))
    assert done.returncode == 2
    assert "--address is for the Ray backend; add --backend ray" in done.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("address", ["h:p", ":6379", "ray://:1"])
def test_bad_address_syntax(address: str) -> None:
    with pytest.raises(RayUnavailableError, match="must look like HOST:PORT"):
        probe(address, timeout=3)


def test_ray_is_imported_only_when_used() -> None:
    code = (
        "import sys, brinkmanship.cli, brinkmanship.analysis.raybackend\n"
        "print('ray' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"

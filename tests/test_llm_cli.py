"""The language-model endpoint on the command line (``--llm-base-url``, ``--llm-api-key``,
``--llm-api-key-file``): precedence, worker processes, bad input, and a key that reaches
the server and nothing else."""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from multiprocessing.queues import Queue
from pathlib import Path

import pytest

from brinkmanship.cli.llm import use_llm_endpoint
from brinkmanship.policies.llm_config import ENV_API_KEY, ENV_BASE_URL, ENV_MODEL, config_from
from cli_runner import run_brink
from fake_llm import FakeLLM, FakeServer, free_port

ENV_NAMES = (ENV_BASE_URL, ENV_API_KEY, ENV_MODEL)


@pytest.fixture(autouse=True)
def no_llm_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(FakeLLM()) as srv:
        yield srv


def distinctive_key() -> str:
    return "sk-brinktest-" + secrets.token_hex(12)


def test_the_key_reaches_the_server_and_nothing_else(
    server: FakeServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = distinctive_key()
    key_file = tmp_path / "secret" / "key.txt"
    key_file.parent.mkdir()
    key_file.write_text(key + "\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    spec = f"west=llm:model=m,cache={out_dir / 'replies.sqlite'}"
    url = ["--llm-base-url", server.base_url]
    by_file = ["--llm-api-key-file", str(key_file)]
    few = ["--runs", "2", "--workers", "1", "--json"]
    mc_out = ["--out", str(out_dir / "mc.parquet")]
    commands = [
        ["run", "standoff", "-p", spec, "-f", "jsonl", *url, "--llm-api-key", key],
        ["run", "standoff", "--seed", "1", "-p", spec, *url, *by_file],
        ["eval", "standoff", "--seed", "2", *few, "-p", spec, *url, *by_file],
        ["mc", "standoff", "--seed", "3", *few, *mc_out, "-p", spec, *url, "--llm-api-key", key],
    ]
    printed = []
    with caplog.at_level(logging.DEBUG):
        for args in commands:
            code, out, err = run_brink(args, capsys, monkeypatch)
            assert code == 0, (args[0], err)
            printed += [out, err]
            assert ENV_API_KEY not in os.environ  # the flag lasted for its command only
    # the sweep runs its parts in worker processes: a real process, so they fork from it
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    grid = ["--param", "incident_rate=0:0.02:2", "--runs", "2", "--chunk", "1", "--workers", "2"]
    where = ["--out", str(out_dir / "sweep"), "-p", "west=llm:model=m"]
    sweep = subprocess.run(
        [sys.executable, "-m", "brinkmanship", "sweep", "standoff", *grid, *where, *url, *by_file],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert sweep.returncode == 0, sweep.stderr
    printed += [sweep.stdout, sweep.stderr]
    assert len(server.fake.headers) > 10
    assert {h.get("authorization") for h in server.fake.headers} == {f"Bearer {key}"}
    assert all(key not in str(body) for body in server.fake.requests)
    assert all(key not in text for text in printed)
    assert key not in caplog.text and len(caplog.records) > 0
    written = [p for p in out_dir.rglob("*") if p.is_file()]
    assert {p.suffix for p in written} >= {".sqlite", ".parquet", ".json"}
    for path in written:
        assert key.encode() not in path.read_bytes(), path


def test_base_url_precedence_is_spec_then_flag_then_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setenv(ENV_BASE_URL, nowhere)
    monkeypatch.setenv(ENV_API_KEY, "from-the-environment")
    with FakeServer(FakeLLM()) as by_flag, FakeServer(FakeLLM()) as by_spec:
        flag = ["--llm-base-url", by_flag.base_url, "--llm-api-key", "from-the-flag"]
        base = ["run", "standoff", "-f", "jsonl"]
        code, _, err = run_brink(
            [*base, "-p", f"west=llm:model=m,base_url={by_spec.base_url}", *flag],
            capsys,
            monkeypatch,
        )
        assert code == 0, err
        assert by_spec.fake.requests and not by_flag.fake.requests
        code, _, err = run_brink([*base, "-p", "west=llm:model=m", *flag], capsys, monkeypatch)
        assert code == 0, err
        assert by_flag.fake.requests
        keys = {h["authorization"] for h in by_spec.fake.headers + by_flag.fake.headers}
        assert keys == {"Bearer from-the-flag"}
    # the environment again once the command is over: nothing listens there
    code, _, err = run_brink([*base, "-p", "west=llm:model=m"], capsys, monkeypatch)
    assert code == 2 and nowhere in err
    assert os.environ[ENV_BASE_URL] == nowhere
    assert os.environ[ENV_API_KEY] == "from-the-environment"


def _child_config(queue: Queue[tuple[str | None, str | None]]) -> None:
    config = config_from({"model": "m"})
    queue.put((config.base_url, config.api_key))


class Command:
    """Stands for the command's context: runs what it was given when it closes."""

    def __init__(self) -> None:
        self.on_close: list[Callable[[], object]] = []

    def call_on_close(self, f: Callable[[], object], /) -> None:
        self.on_close.append(f)

    def close(self) -> None:
        for f in self.on_close:
            f()


def test_a_spawned_worker_gets_the_flags_and_they_end_with_the_command() -> None:
    key = distinctive_key()
    mp = multiprocessing.get_context("spawn")  # the start method that shares least
    queue: Queue[tuple[str | None, str | None]] = mp.Queue()
    command = Command()
    use_llm_endpoint(command, "http://127.0.0.1:9/v1/", key, None)
    child = mp.Process(target=_child_config, args=(queue,))
    child.start()
    got = queue.get(timeout=60)
    child.join(timeout=60)
    command.close()
    assert got == ("http://127.0.0.1:9/v1", key)
    assert ENV_BASE_URL not in os.environ and ENV_API_KEY not in os.environ


def test_the_key_is_not_in_the_settings_repr() -> None:
    key = distinctive_key()
    config = config_from({"model": "m", "base_url": "http://h/v1"}, {ENV_API_KEY: key})
    assert config.api_key == key and key not in repr(config)


COMMANDS = {
    "run": ["run", "standoff"],
    "mc": ["mc", "standoff", "--runs", "1"],
    "compare": ["compare", "standoff", "-i", "two-officers", "--runs", "1"],
    "eval": ["eval", "standoff", "--runs", "1"],
    "sweep": ["sweep", "standoff", "--param", "incident_rate=0:0.01:2", "--out", "nowhere"],
    "report": ["report", "standoff", "--html", "nowhere.html", "--runs", "1"],
    "play": ["play", "standoff", "--as", "west"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_with_policies_takes_the_flags(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_brink([*COMMANDS[command], "--llm-api-key", ""], capsys, monkeypatch)
    assert code == 2, err
    assert err == "error: --llm-api-key is empty: give the key, or leave it out\n"
    assert not list(tmp_path.iterdir())  # refused before anything was written


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--llm-base-url", ""], "--llm-base-url is empty"),
        (["--llm-base-url", "localhost:8000/v1"], "must start with http://"),
        (["--llm-api-key-file", "missing.txt"], "--llm-api-key-file missing.txt: no such file"),
        (["--llm-api-key-file", "."], "is a directory"),
        (["--llm-api-key-file", "empty.txt"], "--llm-api-key-file empty.txt is empty"),
        (["--llm-api-key-file", "two-lines.txt"], "line breaks"),
        (["--llm-api-key", "a b"], "holds spaces"),
        (["--llm-api-key", "k", "--llm-api-key-file", "empty.txt"], "not both"),
    ],
)
def test_bad_endpoint_flags_are_one_line_and_exit_2(
    flags: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.txt").write_text("\n")
    (tmp_path / "two-lines.txt").write_text("sk-one\nsk-two\n")
    args = ["run", "standoff", "-p", "west=llm:model=m", *flags]
    code, out, err = run_brink(args, capsys, monkeypatch)
    assert code == 2 and not out
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    assert "sk-one" not in err  # never the key itself


def test_flags_cannot_reach_an_existing_ray_cluster(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [*COMMANDS["sweep"], "--backend", "ray", "--address", "10.0.0.5:6379"]
    code, _, err = run_brink([*args, "--llm-api-key", "k"], capsys, monkeypatch)
    assert code == 2 and "cannot reach the workers of an existing Ray cluster" in err

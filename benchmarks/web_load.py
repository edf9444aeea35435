"""Load on the web game: many concurrent games against a local server.

Starts ``brink serve``'s app on 127.0.0.1 and a free port with a fresh database, creates
``--games`` games of ``cuba-1962`` (sides in turn: us, su, cuba), and plays them all at
once, each player choosing among the legal choices at random (seeded) after a think time,
until its game ends or it has made ``--choices`` choices. Reports the latency of each
choice (p50, p99, max), of game creation, the error count (any answer but 200/201, or a
failed connection), the throughput, the server's CPU time per request and the machine's
load average (the server shares the machine with this client and anything else running);
then stops the server. The whole run is bounded by ``--timeout`` seconds. With ``--runs N``
it does all of that N times, each on a fresh server, and ends with the medians.

    .venv/bin/python benchmarks/web_load.py                 # 100 games, 2 s think time
    .venv/bin/python benchmarks/web_load.py --runs 3        # three runs and their medians
    .venv/bin/python benchmarks/web_load.py --think 0       # back-to-back choices (saturation)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from brinkmanship.web.local import LocalServer

SIDES = ("us", "su", "cuba")


@dataclass
class Tally:
    """Latencies (seconds) and errors, as they come in."""

    choices: list[float] = field(default_factory=list)
    creates: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished: int = 0


@dataclass
class Figures:
    """One run: its tally, wall time, the server's CPU time and the machine's load."""

    tally: Tally
    wall: float
    server_cpu: float | None
    """Server CPU seconds over the measured part (game creation and choices)."""
    load: tuple[float, float]
    """The machine's 1-minute load average before and after the run."""

    @property
    def cpu_per_request_ms(self) -> float | None:
        requests = len(self.tally.choices) + len(self.tally.creates)
        if self.server_cpu is None or not requests:
            return None
        return self.server_cpu / requests * 1000


def quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values``, by the inclusive method."""
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=1000, method="inclusive")
    return cuts[min(int(q * 1000) - 1, len(cuts) - 1)]


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far, from Linux's /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def play(client: httpx.AsyncClient, n: int, args: argparse.Namespace, tally: Tally) -> None:
    """Create one game and play it."""
    rng = random.Random(args.seed * 1_000_003 + n)
    body = {"scenario": "cuba-1962", "side": SIDES[n % len(SIDES)], "seed": args.seed + n}
    await asyncio.sleep(rng.uniform(0, args.think))
    started = time.perf_counter()
    try:
        r = await client.post("/api/games", json=body)
    except httpx.HTTPError as exc:
        tally.errors.append(f"create: {type(exc).__name__}")
        return
    tally.creates.append(time.perf_counter() - started)
    if r.status_code != 201:
        tally.errors.append(f"create: {r.status_code} {r.text[:200]}")
        return
    created: dict[str, Any] = r.json()
    game_id, view = created["id"], created["view"]
    headers = {"Authorization": f"Bearer {created['token']}"}
    for _ in range(args.choices):
        if view["finished"]:
            tally.finished += 1
            return
        await asyncio.sleep(rng.uniform(0.5 * args.think, 1.5 * args.think))
        action = rng.choice([c["id"] for c in view["choices"]])
        started = time.perf_counter()
        try:
            r = await client.post(
                f"/api/games/{game_id}/choices",
                json={"action": action, "at_tick": view["tick"]},
                headers=headers,
            )
        except httpx.HTTPError as exc:
            tally.errors.append(f"choice: {type(exc).__name__}")
            return
        tally.choices.append(time.perf_counter() - started)
        if r.status_code != 200:
            tally.errors.append(f"choice: {r.status_code} {r.text[:200]}")
            return
        view = r.json()
    if view["finished"]:
        tally.finished += 1


async def load(
    base: str, args: argparse.Namespace, on_start: Callable[[], None] = lambda: None
) -> tuple[Tally, float]:
    """Play every game at once; the tally and the wall time. ``on_start`` is called when
    the measured part begins (after a warm-up game)."""
    tally = Tally()
    # Idle connections are dropped before the server's keep-alive (5 s) can close them
    # under a request, which would be the client's error, not the server's.
    limits = httpx.Limits(
        max_connections=args.games, max_keepalive_connections=args.games, keepalive_expiry=2
    )
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        warm = await client.post("/api/games", json={"scenario": "cuba-1962", "side": "us"})
        warm.raise_for_status()  # the first game compiles the scenario: not measured
        on_start()
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(play(client, n, args, tally) for n in range(args.games))),
            timeout=args.timeout,
        )
        return tally, time.perf_counter() - started


def one_run(args: argparse.Namespace) -> Figures:
    """A fresh server and database, the games played, the server stopped."""
    with tempfile.TemporaryDirectory() as tmp, LocalServer(Path(tmp) / "load.sqlite3") as server:
        assert server.process is not None
        pid = server.process.pid
        load_before = os.getloadavg()[0]
        cpu_start: list[float | None] = [None]

        def mark() -> None:
            cpu_start[0] = cpu_seconds(pid)

        tally, wall = asyncio.run(load(server.base, args, on_start=mark))
        cpu_end = cpu_seconds(pid)
    used = None if cpu_end is None or cpu_start[0] is None else cpu_end - cpu_start[0]
    return Figures(tally, wall, used, (load_before, os.getloadavg()[0]))


def report(number: int, f: Figures) -> None:
    """One run's figures, in a few lines."""
    ms = [t * 1000 for t in f.tally.choices]
    created = [t * 1000 for t in f.tally.creates]
    print(f"run {number}: load average {f.load[0]:.1f} before, {f.load[1]:.1f} after")
    if ms:
        print(
            f"  choices: {len(ms)}  p50 {quantile(ms, 0.5):.1f} ms  p99 {quantile(ms, 0.99):.1f} ms"
            f"  max {max(ms):.1f} ms  ({len(ms) / f.wall:.0f} choices/s over {f.wall:.1f} s)"
        )
    if created:
        print(f"  creates: {len(created)}  p50 {quantile(created, 0.5):.1f} ms  "
              f"p99 {quantile(created, 0.99):.1f} ms")  # fmt: skip
    cpu = f.cpu_per_request_ms
    if cpu is not None:
        print(f"  server CPU: {f.server_cpu:.2f} s, {cpu:.1f} ms per request")
    print(f"  games finished: {f.tally.finished}  errors: {len(f.tally.errors)}")
    for error in f.tally.errors[:10]:
        print(f"    {error}")


def medians(runs: list[Figures]) -> None:
    """The medians over the runs of each run's figures."""

    def med(values: list[float | None]) -> str:
        known = [v for v in values if v is not None]
        return f"{statistics.median(known):.1f}" if known else "n/a"

    def q(f: Figures, p: float) -> float | None:
        return quantile([t * 1000 for t in f.tally.choices], p) if f.tally.choices else None

    print(
        f"medians of {len(runs)} runs: choice p50 {med([q(f, 0.5) for f in runs])} ms, "
        f"p99 {med([q(f, 0.99) for f in runs])} ms, "
        f"max {med([max(f.tally.choices, default=0) * 1000 for f in runs])} ms; "
        f"server CPU {med([f.cpu_per_request_ms for f in runs])} ms per request; "
        f"load average {med([f.load[0] for f in runs])} before; "
        f"errors {sum(len(f.tally.errors) for f in runs)} in all"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=100, help="concurrent games")
    parser.add_argument("--choices", type=int, default=20, help="most choices per game")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time (s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the games and choices")
    parser.add_argument("--runs", type=int, default=1, help="runs, each on a fresh server")
    parser.add_argument("--timeout", type=float, default=600, help="bound on each run (s)")
    args = parser.parse_args()
    if args.games < 1 or args.runs < 1 or args.choices < 1 or args.think < 0:
        parser.error("--games, --runs and --choices must be at least 1, --think at least 0")
    print(
        f"{args.games} concurrent games of cuba-1962, think time {args.think:g} s, "
        f"at most {args.choices} choices each; {os.cpu_count()} CPUs"
    )
    runs = []
    for number in range(1, args.runs + 1):
        try:
            figures = one_run(args)
        except TimeoutError:
            print(f"stopped: run {number} passed its bound of {args.timeout:g} s", file=sys.stderr)
            return 1
        report(number, figures)
        runs.append(figures)
    if len(runs) > 1:
        medians(runs)
    return 1 if any(f.tally.errors for f in runs) else 0


if __name__ == "__main__":
    sys.exit(main())

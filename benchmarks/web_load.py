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

With ``--class``, a classroom instead: one class of ``--games`` games (default 30) whose
three sides (us, su, cuba) are all students, every seat a client of its own that follows
its game's live stream (server-sent events), reads its view when the game moves and
decides at random after a think time, until its game ends or it has made ``--choices``
choices. After ``--kill-at`` acknowledged choices the server is killed with SIGKILL and
started again on the same database; the seats carry on. It reports the latency of each
decision (p50, p99, max; also without the first decision of each game after the restart,
which may have to rebuild the game), how long after a choice that completed its decision
point the live stream showed the next decision (the server answers such a choice once it
is saved and moves the game on after the answer; timed when the stream's event arrives,
whatever the seat is doing then), the errors (any answer but 200, or a
failed connection while the server is up), and then checks that every acknowledged choice
is in the saved records.

    .venv/bin/python benchmarks/web_load.py --class         # 30 games x 3 seats, kill -9
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


# ---------------------------------------------------------------- the classroom mode

CLASS_SEATS = ("us", "su", "cuba")


@dataclass
class ClassTally:
    """A class run: decision latencies, errors, acknowledged choices, the restart."""

    decisions: list[tuple[float, bool]] = field(default_factory=list)
    """Each decision's latency, and whether it was its game's first after the restart
    (which replays the game)."""
    moved_on: list[float] = field(default_factory=list)
    """For each choice that completed its decision point: the time from sending it until
    the live stream showed the game's next decision (or its end)."""
    errors: list[str] = field(default_factory=list)
    acked: list[tuple[str, str, int, str]] = field(default_factory=list)
    """(game, seat, tick, action) of every choice answered 200."""
    down: asyncio.Event = field(default_factory=asyncio.Event)
    """Set while the server is being killed and started again."""
    refused_while_down: int = 0
    restarted: bool = False
    server_cpu: float = 0.0
    """CPU seconds of the server processes over the class (both, around the restart)."""
    replayed: set[str] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)
    made: dict[str, int] = field(default_factory=dict)
    """Choices acknowledged per game."""
    wake: dict[str, list[asyncio.Event]] = field(default_factory=dict)
    """Each game's seats' wake-up events."""

    def over(self, game_id: str, limit: int) -> bool:
        """Whether a game is done for this run: ended, or at its limit of choices."""
        return game_id in self.finished or self.made.get(game_id, 0) >= limit

    def end(self, game_id: str) -> None:
        """Wake every seat of a game that is done."""
        for event in self.wake.get(game_id, []):
            event.set()


async def follow(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    changed: asyncio.Event,
    latest: dict[str, Any],
    moved_on: list[float],
) -> None:
    """Keep the latest turn of a game's live stream in ``latest["turn"]`` and set ``changed``
    at every event; reconnect when the stream drops. While ``latest["awaiting"]`` holds
    (moves, sent) for a choice that completes its decision point, the first turn with that
    many moves is timed here, as it arrives, into ``moved_on``: the seat itself may be
    thinking about its next decision by then (it reads its view as soon as its stream
    still lists it), so timing it when the seat next looks would add its think time."""
    while True:
        try:
            async with client.stream("GET", url, headers=headers, timeout=None) as r:
                async for line in r.aiter_lines():
                    if line.startswith("data:"):
                        turn = latest["turn"] = json.loads(line[5:])
                        awaiting = latest.get("awaiting")
                        if awaiting is not None and turn["moves"] >= awaiting[0]:
                            moved_on.append(time.perf_counter() - awaiting[1])
                            del latest["awaiting"]
                        changed.set()
        except httpx.HTTPError:
            pass
        latest.pop("turn", None)  # the stream dropped (a restart): look again
        latest.pop("awaiting", None)  # and a choice then is not timed
        changed.set()
        await asyncio.sleep(0.2)


async def seat(
    client: httpx.AsyncClient,
    game_id: str,
    name: str,
    token: str,
    args: argparse.Namespace,
    tally: ClassTally,
    rng: random.Random,
) -> None:
    """One student: wait until the live stream says the game asks this seat (as the pages
    do), read the view, decide after a think time, until the game ends or has had
    ``--choices`` choices per seat."""
    headers = {"Authorization": f"Bearer {token}"}
    changed = asyncio.Event()
    latest: dict[str, Any] = {}
    tally.wake.setdefault(game_id, []).append(changed)
    url = f"/api/games/{game_id}/events"
    follower = asyncio.create_task(follow(client, url, headers, changed, latest, tally.moved_on))
    limit = args.choices * len(CLASS_SEATS)
    try:
        while not tally.over(game_id, limit):
            await changed.wait()
            changed.clear()
            turn = latest.get("turn")
            if tally.over(game_id, limit):
                return
            if turn is not None and not turn["finished"] and name not in turn["pending"]:
                continue  # not asked now: wait for the next change
            try:
                r = await client.get(f"/api/games/{game_id}", headers=headers)
            except httpx.HTTPError as exc:
                if tally.down.is_set():
                    tally.refused_while_down += 1
                else:
                    tally.errors.append(f"view: {type(exc).__name__}: {exc}")
                await asyncio.sleep(0.2)
                changed.set()
                continue
            if r.status_code != 200:
                tally.errors.append(f"view: {r.status_code} {r.text[:200]}")
                return
            view = r.json()
            if view["finished"]:
                tally.finished.add(game_id)
                tally.end(game_id)
                return
            if not view["choices"]:
                continue
            await asyncio.sleep(rng.uniform(0.5 * args.think, 1.5 * args.think))
            # one choice per decision: a wait for news would answer later decisions itself
            action = rng.choice([c["id"] for c in view["choices"] if c["id"] != "wait.news"])
            body = {"action": action, "at_tick": view["tick"]}
            first_after = tally.restarted and game_id not in tally.replayed
            now = latest.get("turn")
            completes = now is not None and now["tick"] == view["tick"] and now["pending"] == [name]
            moves_with_mine = int(now["moves"]) + 1 if now is not None else 0
            started = time.perf_counter()
            if completes:  # timed by the stream's follower from now
                latest["awaiting"] = (moves_with_mine, started)
            try:
                r = await client.post(f"/api/games/{game_id}/choices", json=body, headers=headers)
            except httpx.HTTPError as exc:
                latest.pop("awaiting", None)
                if tally.down.is_set():
                    tally.refused_while_down += 1
                else:
                    tally.errors.append(f"choice: {type(exc).__name__}: {exc}")
                changed.set()
                continue
            took = time.perf_counter() - started
            if r.status_code != 200:
                latest.pop("awaiting", None)
            if r.status_code == 409 and tally.restarted:
                changed.set()  # its choice may have been saved just before the kill
                continue
            if r.status_code != 200:
                tally.errors.append(f"choice: {r.status_code} {r.text[:200]}")
                return
            if first_after:
                tally.replayed.add(game_id)
            tally.decisions.append((took, first_after))
            tally.acked.append((game_id, name, int(view["tick"]), action))
            tally.made[game_id] = tally.made.get(game_id, 0) + 1
            if tally.over(game_id, limit) or r.json()["finished"]:
                if r.json()["finished"]:
                    tally.finished.add(game_id)
                tally.end(game_id)
    finally:
        follower.cancel()


async def killer(server: LocalServer, args: argparse.Namespace, tally: ClassTally) -> None:
    """Kill the server with SIGKILL after ``--kill-at`` acknowledged choices; start it again."""
    while len(tally.acked) < args.kill_at:
        await asyncio.sleep(0.05)
    assert server.process is not None
    tally.server_cpu += cpu_seconds(server.process.pid) or 0.0
    tally.down.set()
    server.kill()
    acked_then = len(tally.acked)
    await asyncio.to_thread(server.start)
    tally.restarted = True
    tally.down.clear()
    print(f"  killed the server (SIGKILL) after {acked_then} acknowledged choices; restarted")


async def classroom(server: LocalServer, args: argparse.Namespace) -> tuple[ClassTally, float, str]:
    """Set up the class, play every seat at once, kill and restart the server once."""
    tally = ClassTally()
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=400, keepalive_expiry=2)
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=60) as client:
        body = {
            "scenario": "cuba-1962",
            "games": args.games,
            "seats": dict.fromkeys(CLASS_SEATS, "student"),
            "timer": args.timer,
            "seed": args.seed,
        }
        r = await client.post("/api/classes", json=body)
        r.raise_for_status()
        made: dict[str, Any] = r.json()
        players = []
        for n, game in enumerate(made["games"]):
            for k, (name, link) in enumerate(game["seats"].items()):
                token = link.split("token=", 1)[1]
                rng = random.Random(args.seed * 1_000_003 + n * 7 + k)
                players.append(seat(client, game["id"], name, token, args, tally, rng))
        started = time.perf_counter()
        kill = asyncio.create_task(killer(server, args, tally))
        try:
            await asyncio.wait_for(asyncio.gather(*players), timeout=args.timeout)
        except TimeoutError:
            stuck = [g["id"] for g in made["games"] if not tally.over(g["id"], 3 * args.choices)]
            tally.errors.append(f"the class passed its bound of {args.timeout:g} s")
            teacher = {"Authorization": f"Bearer {made['teacher_token']}"}
            for game_id in stuck[:5]:
                turn = await client.get(f"/api/games/{game_id}/turn", headers=teacher)
                tally.errors.append(f"stuck: {game_id} {turn.text[:200]}")
        wall = time.perf_counter() - started
        assert server.process is not None
        tally.server_cpu += cpu_seconds(server.process.pid) or 0.0
        if not kill.done():
            kill.cancel()
            print("  the class ended before --kill-at choices: no restart", file=sys.stderr)
    return tally, wall, made["teacher_token"]


def lost_moves(base: str, teacher: str, acked: list[tuple[str, str, int, str]]) -> int:
    """How many acknowledged choices are missing from the saved records."""
    headers = {"Authorization": f"Bearer {teacher}"}
    saved: dict[str, set[tuple[str, int, str]]] = {}
    for game_id in {a[0] for a in acked}:
        record = httpx.get(f"{base}/api/games/{game_id}/record", headers=headers, timeout=30)
        record.raise_for_status()
        saved[game_id] = {
            (m["seat"], int(m["tick"]), m["action"])
            for m in record.json()["moves"]
            if m["by"] == "player"
        }
    return sum(1 for g, s, t, a in acked if (s, t, a) not in saved[g])


def class_run(args: argparse.Namespace) -> int:
    """The classroom mode: one run, its figures, and the check that nothing was lost."""
    with tempfile.TemporaryDirectory() as tmp, LocalServer(Path(tmp) / "class.sqlite3") as server:
        load_before = os.getloadavg()[0]
        tally, wall, teacher = asyncio.run(classroom(server, args))
        lost = lost_moves(server.base, teacher, tally.acked)
    ms = [t * 1000 for t, _ in tally.decisions]
    steady = [t * 1000 for t, first in tally.decisions if not first]
    print(f"  load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    if ms:
        print(
            f"  decisions: {len(ms)}  p50 {quantile(ms, 0.5):.1f} ms  "
            f"p99 {quantile(ms, 0.99):.1f} ms  max {max(ms):.1f} ms  "
            f"({len(ms) / wall:.0f}/s over {wall:.1f} s)"
        )
    if steady and len(steady) != len(ms):
        print(
            f"  without each game's first decision after the restart: p50 "
            f"{quantile(steady, 0.5):.1f} ms  p99 {quantile(steady, 0.99):.1f} ms"
        )
    moved = [t * 1000 for t in tally.moved_on]
    if moved:
        print(
            f"  a choice completing its decision point, until the live stream showed the next: "
            f"{len(moved)}, p50 {quantile(moved, 0.5):.1f} ms  p99 {quantile(moved, 0.99):.1f} ms"
            f"  max {max(moved):.1f} ms"
        )
    if ms:
        per = tally.server_cpu / len(ms) * 1000
        print(f"  server CPU: {tally.server_cpu:.1f} s, {per:.0f} ms per decision "
              "(its requests: the choice, the live streams' turns, the views)")  # fmt: skip
    print(
        f"  games finished: {len(tally.finished)} of {args.games}  errors: {len(tally.errors)}  "
        f"refused while the server was down: {tally.refused_while_down}"
    )
    for error in tally.errors[:10]:
        print(f"    {error}")
    print(f"  acknowledged choices: {len(tally.acked)}  missing from the saved records: {lost}")
    return 1 if tally.errors or lost else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=100, help="concurrent games")
    parser.add_argument("--choices", type=int, default=20, help="most choices per game")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time (s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the games and choices")
    parser.add_argument("--runs", type=int, default=1, help="runs, each on a fresh server")
    parser.add_argument("--timeout", type=float, default=600, help="bound on each run (s)")
    parser.add_argument(
        "--class",
        dest="classroom",
        action="store_true",
        help="a class: 30 games (or --games) x 3 student seats, SIGKILL and restart mid-class",
    )
    parser.add_argument("--timer", type=int, default=0, help="class mode: seconds per decision")
    parser.add_argument(
        "--kill-at", type=int, default=250, help="class mode: kill after this many choices"
    )
    args = parser.parse_args()
    if args.games < 1 or args.runs < 1 or args.choices < 1 or args.think < 0:
        parser.error("--games, --runs and --choices must be at least 1, --think at least 0")
    if args.classroom:
        games = args.games if "--games" in sys.argv else 30
        args.games = games
        print(
            f"a class of {games} games of cuba-1962 x {len(CLASS_SEATS)} student seats, think "
            f"time {args.think:g} s, at most {args.choices} choices per seat on average; "
            f"{os.cpu_count()} CPUs"
        )
        try:
            return class_run(args)
        except TimeoutError:
            print(f"stopped: the class passed its bound of {args.timeout:g} s", file=sys.stderr)
            return 1
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

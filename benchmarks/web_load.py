"""Load on the web game: many concurrent games against a local server.

Starts ``brink serve``'s app on 127.0.0.1 and a free port with a fresh database, creates
``--games`` games of ``cuba-1962`` (sides in turn: us, su, cuba), and plays them all at
once, each player choosing among the legal choices at random (seeded) after a think time,
until its game ends or it has made ``--choices`` choices. Reports the latency of each
choice (p50, p99, max), of game creation, the error count (any answer but 200/201, or a
failed connection) and the throughput; then stops the server. The whole run is bounded by
``--timeout`` seconds.

    .venv/bin/python benchmarks/web_load.py                 # 100 games, 2 s think time
    .venv/bin/python benchmarks/web_load.py --think 0       # back-to-back choices (saturation)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
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


def quantile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values``, by the inclusive method."""
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=1000, method="inclusive")
    return cuts[min(int(q * 1000) - 1, len(cuts) - 1)]


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


async def load(base: str, args: argparse.Namespace) -> tuple[Tally, float]:
    """Play every game at once; the tally and the wall time."""
    tally = Tally()
    # Idle connections are dropped before the server's keep-alive (5 s) can close them
    # under a request, which would be the client's error, not the server's.
    limits = httpx.Limits(
        max_connections=args.games, max_keepalive_connections=args.games, keepalive_expiry=2
    )
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        warm = await client.post("/api/games", json={"scenario": "cuba-1962", "side": "us"})
        warm.raise_for_status()  # the first game compiles the scenario: not measured
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(play(client, n, args, tally) for n in range(args.games))),
            timeout=args.timeout,
        )
        return tally, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=100, help="concurrent games")
    parser.add_argument("--choices", type=int, default=20, help="most choices per game")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time (s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the games and choices")
    parser.add_argument("--timeout", type=float, default=600, help="bound on the run (s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, LocalServer(Path(tmp) / "load.sqlite3") as server:
        try:
            tally, wall = asyncio.run(load(server.base, args))
        except TimeoutError:
            print(f"stopped: the run passed its bound of {args.timeout:g} s", file=sys.stderr)
            return 1
    ms = [t * 1000 for t in tally.choices]
    created = [t * 1000 for t in tally.creates]
    print(
        f"{args.games} concurrent games of cuba-1962, think time {args.think:g} s, "
        f"at most {args.choices} choices each"
    )
    if ms:
        print(
            f"choices: {len(ms)}  p50 {quantile(ms, 0.5):.1f} ms  p99 {quantile(ms, 0.99):.1f} ms"
            f"  max {max(ms):.1f} ms  ({len(ms) / wall:.0f} choices/s over {wall:.1f} s)"
        )
    if created:
        print(f"creates: {len(created)}  p50 {quantile(created, 0.5):.1f} ms  "
              f"p99 {quantile(created, 0.99):.1f} ms")  # fmt: skip
    print(f"games finished: {tally.finished}  errors: {len(tally.errors)}")
    for error in tally.errors[:10]:
        print(f"  {error}")
    return 1 if tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())

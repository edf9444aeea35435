"""The Ray backend of ``brink sweep``: parts computed as Ray tasks on a local or an existing
cluster, written by the driver as they complete.

Each task computes one part (``spec.chunk`` runs at one point) with the same function as
the local backend, so the results are identical. Tasks return their rows; the driver
writes each part atomically as soon as ``ray.wait`` reports it done, so an interrupted
sweep (Ctrl-C, a crash, ``kill -9``) keeps every part already written and ``--resume``
runs the rest. Ray is imported only when this backend is used.
"""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brinkmanship.analysis.sweep import SweepSpec, Unit, compute_unit, write_part
from brinkmanship.errors import BrinkError

CONNECT_TIMEOUT_S = 30.0
"""How long to wait for an existing cluster to accept a driver before giving up."""

DEFAULT_PORT = 6379


class RayUnavailableError(BrinkError):
    """Ray is not installed, or no cluster answers at the given address."""


@dataclass(frozen=True)
class Cluster:
    """A connected Ray session: the ``ray`` module and how many CPUs the cluster has."""

    ray: Any
    cpus: int
    address: str | None


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayUnavailableError(
            "the ray backend needs Ray: pip install 'brinkmanship[ray]' (on every node)"
        ) from None
    return ray


def _host_port(address: str) -> tuple[str, int]:
    """``host:port`` of a Ray address (port 6379 if absent)."""
    bare = address.split("://", 1)[1] if "://" in address else address
    host, colon, port = bare.rpartition(":")
    if not colon:
        return bare, DEFAULT_PORT
    if not host or not port.isdigit():
        raise RayUnavailableError(
            f"--address {address!r} must look like HOST:PORT, e.g. 10.0.0.5:6379"
        )
    return host.strip("[]"), int(port)


def probe(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail with one clear message unless a Ray cluster accepts a driver at ``address``
    within ``timeout`` seconds.

    A TCP connection is tried first (fast for a refused port or an unknown host); then a
    throwaway process connects with Ray itself, because ``ray.init`` waits minutes, past
    any signal, on an address where something other than a Ray cluster listens.
    """
    hint = "start one with `ray start --head`, or leave out --address for a local cluster"
    if address != "auto":
        host, port = _host_port(address)
        try:
            socket.create_connection((host, port), timeout=min(timeout, 10.0)).close()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise RayUnavailableError(
                f"no Ray cluster at --address {address}: {reason}; {hint}"
            ) from None
    code = (
        "import logging, sys, ray\n"
        "ray.init(address=sys.argv[1], logging_level=logging.ERROR, log_to_driver=False)\n"
        "ray.shutdown()\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, address],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RayUnavailableError(
            f"no Ray cluster answered at --address {address} within {timeout:g} s; {hint}"
        ) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise RayUnavailableError(f"cannot connect to Ray at --address {address}: {reason}")


@contextmanager
def connect(
    address: str | None, workers: int | None = None, timeout: float = CONNECT_TIMEOUT_S
) -> Iterator[Cluster]:
    """Join the cluster at ``address`` (checked first, with a bounded wait), or start a
    private local one with ``workers`` CPUs (default: all); shut down on exit."""
    ray = _import_ray()
    if address is not None:
        probe(address, timeout)
        options: dict[str, Any] = {"address": address}
    else:
        # "local": always a new cluster, never one that happens to run on this machine.
        options = {"address": "local", "num_cpus": workers}
    # The local cluster's processes inherit an ignored SIGINT, so that Ctrl-C in a terminal
    # reaches only the driver, which then stops cleanly.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ray.init(
            **options,
            include_dashboard=False,
            logging_level=logging.ERROR,
            log_to_driver=False,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        ray.shutdown()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RayUnavailableError(f"cannot start Ray: {first}") from None
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        yield Cluster(ray, max(1, cpus), address)
    finally:
        ray.shutdown()


def run_ray(
    cluster: Cluster,
    spec: SweepSpec,
    out: Path,
    units: Iterable[Unit],
    in_flight: int | None = None,
    on_part: Callable[[int], None] | None = None,
) -> None:
    """Run the units as Ray tasks; write each part as soon as its task completes.

    Twice the cluster's CPUs are kept in flight, so no CPU waits for the driver; on an
    existing cluster ``in_flight`` (``--workers``) may cap that, to leave room for others.
    """
    ray = cluster.ray
    todo = list(units)
    limit = 2 * cluster.cpus
    if in_flight and cluster.address is not None:
        limit = min(limit, in_flight)
    task = ray.remote(num_cpus=1, max_retries=3)(compute_unit)
    spec_ref = ray.put(spec)
    pending: dict[Any, Unit] = {}
    queue = iter(todo)
    # On an interruption the tasks still pending are left to ``ray.shutdown`` (the job's
    # workers are stopped with it); cancelling them one by one races with their replies.
    while True:
        for unit in queue:
            pending[task.remote(spec_ref, *unit)] = unit
            if len(pending) >= limit:
                break
        if not pending:
            return
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            point, start, stop = pending.pop(ref)
            try:
                table = ray.get(ref)
            except ray.exceptions.RayError as exc:
                first = str(exc).strip().splitlines()[0]
                raise BrinkError(
                    f"a Ray task failed ({first}); the finished parts in {out} are kept, "
                    "run the same command with --resume to finish"
                ) from None
            write_part(out, point, start, table)
            if on_part:
                on_part(stop - start)

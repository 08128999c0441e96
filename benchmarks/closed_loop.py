"""Closed-loop HTTP load on loopback for the serving benchmarks: lean keep-alive clients, the CPU each
process took, and one client's latency over alternating rounds.

Consumes a base URL serving GET /api/search and a list of queries; produces latency samples, their
summary (p50/p95/throughput/errors) and CPU seconds per role. `one_client_rounds` measures several
servers in alternating rounds, so that a drift of the machine (another process, the host) lands on all
of them alike rather than on whichever was measured last.
"""

from __future__ import annotations

import http.client
import os
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PATH = "/api/search"


def cpu_seconds(procs) -> dict[int, float]:
    out = {}
    for proc in procs:
        try:
            t = proc.cpu_times()
            out[proc.pid] = t.user + t.system
        except Exception:  # a process that ended (a killed replica) counts what it had
            continue
    return out


def stolen_seconds() -> float:
    """CPU seconds the hypervisor gave other guests instead of this machine, all cores (Linux /proc/stat
    "steal"; 0 where unknown): a window with much of it measured a slower machine."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class LeanClient:
    """One keep-alive connection with http.client: a few tens of microseconds of CPU per request, where
    httpx took ~2 ms across 20 threads, so the load generator takes little of the cores it shares."""

    def __init__(self, base: str, timeout: float = 60):
        parts = urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.connection = None

    def search(self, query: str) -> tuple[int, str]:
        """(status, what failed) of GET /api/search?q=query; status 0 when the connection failed."""
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.connection.request("GET", f"{PATH}?{urlencode({'q': query})}")
            response = self.connection.getresponse()
            response.read()
            return response.status, f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as exc:
            self.close()  # a fresh connection for the next request
            return 0, type(exc).__name__

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def closed_loop(
    base: str,
    queries: list[str],
    clients: int,
    warmup: float,
    seconds: float,
    processes: Callable[[], dict[str, list]],
    on_tick: Callable[[float], None] | None = None,
):
    """`clients` closed-loop threads for warmup + seconds; returns the measured window's samples
    (start offset, latency, ok, what failed) and the CPU seconds over that window of each role's
    processes (`processes()`: psutil processes by role) and of this load generator."""
    import psutil

    samples: list[tuple[float, float, bool, str]] = []
    lock = threading.Lock()
    t0 = time.perf_counter()
    begin, end = t0 + warmup, t0 + warmup + seconds
    counter = iter(range(10**9))

    def worker() -> None:
        client = LeanClient(base)
        while time.perf_counter() < end:
            with lock:
                i = next(counter)
            started = time.perf_counter()
            status, problem = client.search(queries[i % len(queries)])
            ok = status == 200
            finished = time.perf_counter()
            if started >= begin and finished <= end:
                with lock:
                    samples.append((started - begin, finished - started, ok, "" if ok else problem))
        client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, begin - time.perf_counter()))
    roles = processes()
    me = psutil.Process()
    before = {role: cpu_seconds(procs) for role, procs in roles.items()} | {
        "load_generator": cpu_seconds([me])
    }
    stolen = stolen_seconds()
    if on_tick:
        on_tick(begin)
    time.sleep(max(0.0, end - time.perf_counter()))
    roles = processes()
    after = {role: cpu_seconds(procs) for role, procs in roles.items()} | {
        "load_generator": cpu_seconds([me])
    }
    for thread in threads:
        thread.join(timeout=120)
    cpu = {"stolen": stolen_seconds() - stolen}
    for role in after:
        cpu[role] = sum(after[role][pid] - before.get(role, {}).get(pid, 0.0) for pid in after[role])
    cpu["per_replica"] = [
        after["replicas"][pid] - before["replicas"].get(pid, 0.0) for pid in after["replicas"]
    ]
    return samples, cpu


def summary(samples, seconds: float) -> dict:
    latencies = sorted(s[1] for s in samples if s[2])
    errors = [s for s in samples if not s[2]]
    return {
        "requests": len(samples),
        "errors": len(errors),
        "error_kinds": sorted({s[3] for s in errors}),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        if latencies
        else float("nan"),
        "rps": len(latencies) / seconds,
    }


def one_client_rounds(
    bases: dict[str, str], queries: list[str], rounds: int, requests: int, warm: dict[str, int]
) -> dict[str, list[list[float]]]:
    """One client's latencies (ms) per server (name -> base URL) and round: `rounds` rounds of `requests`
    searches each, the servers' order reversed every other round. Each server first gets every query
    `warm[name]` times (once per serving process: a new process starts cold)."""
    clients = {name: LeanClient(base) for name, base in bases.items()}
    for name, client in clients.items():
        for query in queries * warm.get(name, 1):
            client.search(query)
    latencies: dict[str, list[list[float]]] = {name: [] for name in bases}
    names = list(bases)
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else names[::-1]:
            client, out = clients[name], []
            # a connection idle through the other servers' rounds may have been closed by the server
            # (uvicorn's keep-alive timeout): a fresh one, opened by an untimed request
            client.close()
            client.search(queries[0])
            for i in range(requests):
                started = time.perf_counter()
                status, problem = client.search(queries[(round_number * requests + i) % len(queries)])
                if status != 200:
                    raise SystemExit(f"one-client run against {bases[name]}: {problem}")
                out.append(1000 * (time.perf_counter() - started))
            latencies[name].append(out)
    for client in clients.values():
        client.close()
    return latencies


def p50(rounds: list[list[float]]) -> float:
    return statistics.median(x for one_round in rounds for x in one_round)

"""Load test of the web app on loopback: latency and throughput from 1 and from N concurrent clients.

Starts `tracuu serve` (search_app) in a subprocess on 127.0.0.1 and a free port (building the index
from data/ first if the index folder holds none), then sends a bounded number of GET /api/search
(or /search pages with --html) requests per concurrency level from closed-loop client threads,
each with its own HTTP connection. Prints p50/p95 latency, throughput and the error count per level.

    .venv/bin/python benchmarks/load.py --index-dir .tracuu-index --requests 200 --clients 1,20

The target (issue 3): zero errors, and p50 at 20 clients within 3x the single-client p50. With
--think-time each client pauses between its requests like a reading user (an open-ish workload);
the default 0 is the harsh closed loop where every client fires again as soon as it gets an answer.
In that closed loop the latency at N clients is N / throughput (Little's law), so on a machine with
C cores it cannot fall much below N / C times the single-client latency when searches are CPU-bound.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERY_FILE = REPO_ROOT / "index" / "resources" / "dev_queries.jsonl"
FALLBACK_QUERIES = [
    "trách nhiệm người đứng đầu",
    "ai chủ trì kiểm tra thực hiện Kết luận 44",
    "xay dung phong trao toan dan bao ve ANTT",
    "vai trò của MTTQ trong phong trào",
    "kinh phí cho lực lượng bảo vệ an ninh cơ sở",
]


def load_queries() -> list[str]:
    if not QUERY_FILE.exists():
        return FALLBACK_QUERIES
    lines = QUERY_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["query"] for line in lines if line.strip()] or FALLBACK_QUERIES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(index_dir: Path, port: int, timeout: float, query_cache: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "search_app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--index-dir", str(index_dir)]
    # The requests cycle through a fixed query list: with the server's query-vector cache on, all but the
    # warm-up would skip the encoder, so it is off unless asked for.
    env = {**os.environ, "TRACUU_QUERY_CACHE": str(query_cache)}
    server = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}:\n{server.stderr.read()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/documents", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("server did not come up in time")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def run_level(base: str, path: str, queries: list[str], clients: int, total: int, think: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                started = time.perf_counter()
                try:
                    response = client.get(path, params={"q": queries[i % len(queries)]})
                    ok = response.status_code == 200
                    problem = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    ok, problem = False, repr(exc)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(problem)
                if think:
                    time.sleep(think)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": len(latencies),
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "throughput_rps": len(latencies) / wall,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--index-dir", type=Path, default=Path(os.environ.get("TRACUU_INDEX_DIR", ".tracuu-index"))
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per concurrency level")
    parser.add_argument("--clients", default="1,20", help="comma-separated concurrency levels")
    parser.add_argument(
        "--think-time", type=float, default=0.0, help="seconds each client waits between requests"
    )
    parser.add_argument("--html", action="store_true", help="load the /search page instead of /api/search")
    parser.add_argument("--startup-timeout", type=float, default=900)
    parser.add_argument(
        "--query-cache",
        type=int,
        default=0,
        help="query vectors the server keeps (TRACUU_QUERY_CACHE); 0, the default, times every encoding",
    )
    args = parser.parse_args()

    queries = load_queries()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    path = "/search" if args.html else "/api/search"
    levels = [int(c) for c in args.clients.split(",")]
    server = start_server(args.index_dir, port, args.startup_timeout, args.query_cache)
    try:
        with httpx.Client(base_url=base, timeout=120) as client:  # warm-up: every query once
            for query in queries:
                client.get(path, params={"q": query})
        print(
            f"{path} on {base}: {len(queries)} distinct queries, {args.requests} requests per level, "
            f"think time {args.think_time}s, {os.cpu_count()} CPU(s)"
        )
        print(f"{'clients':>7} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'errors':>6}")
        rows = []
        for clients in levels:
            # a lone client meets no contention, so pausing between its requests would only add wall time
            think = args.think_time if clients > 1 else 0.0
            row = run_level(base, path, queries, clients, args.requests, think)
            rows.append(row)
            print(
                f"{row['clients']:>7} {row['requests']:>8} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
                f"{row['throughput_rps']:>7.1f} {row['errors']:>6}"
                + (f"  {row['error_kinds']}" if row["errors"] else "")
            )
        if len(rows) > 1:
            ratio = rows[-1]["p50_ms"] / rows[0]["p50_ms"]
            ok = ratio <= 3 and not any(r["errors"] for r in rows)
            print(
                f"p50 at {rows[-1]['clients']} clients = {ratio:.1f}x the p50 at {rows[0]['clients']} "
                f"(target <= 3x, zero errors): {'met' if ok else 'NOT met'}"
            )
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()

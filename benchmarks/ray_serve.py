"""Ray Serve replicas on loopback: throughput of 1 and 2 replicas, a replica killed mid-run, Ray's overhead.

Starts a local Ray instance (`--ray-cpus`, default 2), deploys the app (search_app.cluster) on an existing
index with 1 replica and with 2 (in ABBA order, `--level-rounds` windows each, so that a drift of the
machine lands on both), each given one CPU and one encoder thread, and drives GET /api/search from
closed-loop client threads in this process (the load generator), each with its own connection, for a
bounded time after a warm-up. Per level: requests, errors, p50/p95, throughput, and the CPU seconds taken
by Ray's HTTP proxy, the load generator, each replica and the rest of Ray (controller, raylet, GCS), read
with psutil over their pids; from the per-request CPU costs it prints a model of N nodes. Then, with 2
replicas under the same load, one replica actor is killed (`ray.kill`): the failed requests and the time
until Serve runs 2 replicas again are printed. Last, one client's p50 through Ray against plain
`tracuu serve` (uvicorn) on one encoder thread, the replica's setting, and on its default threads: the
three measured in alternating rounds while all three run (closed_loop.one_client_rounds), since one
client's p50 drifts by 15-25% between runs minutes apart on these cores.

    PYTHONPATH=. .venv/bin/python benchmarks/ray_serve.py --index-dir .tracuu-index --seconds 20

Targets (issue 21): zero errors, 2 replicas >= 1.6x the throughput of 1, one-client p50 ratio <= 1.15.
Searches cycle through the dev queries with the query-vector cache off, so every request encodes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx
from closed_loop import PATH, closed_loop, one_client_rounds, p50, stolen_seconds, summary
from load import free_port, load_queries, start_server, stop_server

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from search_app import cluster, cluster_env  # noqa: E402
from search_app.settings import Settings  # noqa: E402


def ray_processes() -> dict[str, list]:
    """Ray's processes on this machine by role (psutil), found by the titles Ray gives them."""
    import psutil

    roles: dict[str, list] = {"proxy": [], "replicas": [], "ray_other": []}
    for proc in psutil.process_iter(["pid", "name", "cmdline"]):
        title = " ".join(proc.info["cmdline"] or []) or proc.info["name"] or ""
        if "ServeReplica:" in title:
            roles["replicas"].append(proc)
        elif "ProxyActor" in title or (proc.info["name"] or "").startswith(
            "haproxy"
        ):  # RAY_SERVE_ENABLE_HA_PROXY
            roles["proxy"].append(proc)
        elif any(k in title for k in ("ServeController", "raylet", "gcs_server", "ray::", "default_worker")):
            roles["ray_other"].append(proc)
    return roles


def running_replicas() -> int:
    from ray import serve

    app = serve.status().applications.get(cluster.APP_NAME)
    if app is None:
        return 0
    states = app.deployments[cluster.DEPLOYMENT_NAME].replica_states
    return int(states.get("RUNNING", 0))


def deploy_warm(settings: Settings, replicas: int, base: str, queries: list[str]) -> None:
    """(Re)deploy the app with `replicas` replicas and send every query once per replica."""
    from ray import serve

    if running_replicas():
        serve.delete(cluster.APP_NAME)
    cluster.deploy(settings, replicas)
    with httpx.Client(base_url=base, timeout=120) as client:  # warm-up: every query once per replica
        for query in queries * replicas:
            client.get(PATH, params={"q": query})


def plain_server(index_dir: Path, threads: str | None):
    """`tracuu serve` (uvicorn) in a subprocess, OMP_NUM_THREADS=`threads` when given; (process, base)."""
    saved = os.environ.get("OMP_NUM_THREADS")
    if threads:
        os.environ["OMP_NUM_THREADS"] = threads
    else:
        os.environ.pop("OMP_NUM_THREADS", None)
    port = free_port()
    try:
        return start_server(index_dir, port, 600, 0), f"http://127.0.0.1:{port}"
    finally:
        if saved is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = saved


def one_client_overhead(base: str, index_dir: Path, queries: list[str], rounds: int, requests: int) -> None:
    """One client's p50 through Ray (2 replicas) and on plain servers, in alternating rounds."""
    plains = {
        "plain, 1 thread": plain_server(index_dir, "1"),
        "plain, default": plain_server(index_dir, None),
    }
    try:
        bases = {"Ray": base} | {name: plain_base for name, (_, plain_base) in plains.items()}
        stolen = stolen_seconds()
        rows = one_client_rounds(bases, queries, rounds, requests, warm={"Ray": 2})
        stolen = stolen_seconds() - stolen
    finally:
        for server, _ in plains.values():
            stop_server(server)
    ray, plain = p50(rows["Ray"]), p50(rows["plain, 1 thread"])
    per_round = [
        statistics.median(r) / statistics.median(q) for r, q in zip(rows["Ray"], rows["plain, 1 thread"])
    ]
    verdict = "met" if ray / plain <= 1.15 else "NOT met"
    print(
        f"\none client, {rounds} alternating rounds of {requests}: p50 Ray (2 replicas, 1 encoder thread each) "
        f"{ray:.1f} ms; plain tracuu serve on 1 encoder thread {plain:.1f} ms (ratio {ray / plain:.2f}, "
        f"target <= 1.15: {verdict}; per round {min(per_round):.2f}-{max(per_round):.2f}); plain on its "
        f"default threads {p50(rows['plain, default']):.1f} ms; stolen by the host {stolen:.1f} s"
    )


def merged(windows: list, seconds: float) -> tuple[dict, dict]:
    """One level's windows as one: (summary over `seconds` in all, CPU seconds summed per role)."""
    samples = [sample for window_samples, _ in windows for sample in window_samples]
    cpu: dict = {"per_replica": [sum(c for _, cpu in windows for c in cpu["per_replica"])]}
    for role in windows[0][1]:
        if role != "per_replica":
            cpu[role] = sum(cpu[role] for _, cpu in windows)
    return summary(samples, seconds), cpu


def print_level(name: str, row: dict, cpu: dict, seconds: float) -> None:
    per = " ".join(f"{c:.1f}" for c in cpu["per_replica"])
    print(
        f"{name:<12} {row['requests']:>8} {row['errors']:>6} {row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} "
        f"{row['rps']:>7.1f} | cpu s: proxy {cpu['proxy']:.1f}, load gen {cpu['load_generator']:.1f}, "
        f"replicas [{per}], other Ray {cpu['ray_other']:.1f}, stolen by the host {cpu['stolen']:.1f} "
        f"(window {seconds:.0f} s)" + (f"  errors: {row['error_kinds']}" if row["errors"] else "")
    )


def node_model(row: dict, cpu: dict, cores_per_node: int) -> None:
    """Per-request CPU of a replica and of the proxy -> throughput of N nodes (clients elsewhere)."""
    done = max(1, row["requests"] - row["errors"])
    replica_ms = 1000 * sum(cpu["per_replica"]) / done
    proxy_ms = 1000 * cpu["proxy"] / done
    other_ms = 1000 * cpu["ray_other"] / done
    per_node = 1000 * cores_per_node / (replica_ms + proxy_ms + other_ms)
    print(
        f"per request: replica {replica_ms:.1f} ms CPU, proxy {proxy_ms:.1f} ms, other Ray {other_ms:.1f} ms, "
        f"load generator {1000 * cpu['load_generator'] / done:.1f} ms"
    )
    print(
        f"model: a node of {cores_per_node} cores with its own proxy serves ~{per_node:.0f} searches/s; "
        + ", ".join(f"{n} nodes ~{n * per_node:.0f}/s" for n in (1, 2, 4, 8))
        + f"; one proxy alone saturates near {1000 / max(proxy_ms, 1e-9):.0f}/s (one core)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--index-dir", type=Path, default=Path(os.environ.get("TRACUU_INDEX_DIR", ".tracuu-index"))
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20, help="measured window per level")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--level-rounds", type=int, default=2, help="windows per level, in ABBA order")
    parser.add_argument("--kill-seconds", type=float, default=30, help="window of the killed-replica run")
    parser.add_argument("--single-requests", type=int, default=60, help="one-client requests per round")
    parser.add_argument("--single-rounds", type=int, default=6, help="one-client rounds per server")
    parser.add_argument("--ray-cpus", type=int, default=2)
    args = parser.parse_args()

    from index import store

    if store.current_build(args.index_dir) is None:
        raise SystemExit(
            f"no index in {args.index_dir}: run `tracuu ingest data/ --index-dir {args.index_dir}`"
        )
    queries = load_queries()
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} CPUs; {len(queries)} distinct queries")

    port = free_port()
    settings = Settings(index_dir=args.index_dir, port=port, query_cache=0)
    base = f"http://127.0.0.1:{port}"
    # logs: /tmp/ray/session_latest
    cluster.connect("local", args.ray_cpus, log_to_driver=False, env=cluster_env.serve_env(settings))
    from ray import serve

    try:
        print(
            f"\n{args.clients} closed-loop clients, {PATH}, Ray instance of {args.ray_cpus} CPUs, "
            f"ingress {settings.ray_ingress}, replicas pinned to their own cores: {settings.replica_pin_cores}"
        )
        print(f"{'replicas':<12} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7}")
        # ABBA: 1, 2 | 2, 1 replicas (windows of seconds / level_rounds), so that a drift of the machine
        # over the run lands on both levels alike
        windows: dict[int, list] = {1: [], 2: []}
        window = args.seconds / args.level_rounds
        for round_number in range(args.level_rounds):
            for replicas in (1, 2) if round_number % 2 == 0 else (2, 1):
                if running_replicas() != replicas:
                    deploy_warm(settings, replicas, base, queries)
                samples, cpu = closed_loop(base, queries, args.clients, args.warmup, window, ray_processes)
                windows[replicas].append((samples, cpu))
                print_level(f"{replicas} replica(s)", summary(samples, window), cpu, window)
        (one, cpu_one), (two, cpu_two) = (merged(windows[n], args.seconds) for n in (1, 2))
        print_level("1, all", one, cpu_one, args.seconds)
        print_level("2, all", two, cpu_two, args.seconds)
        ratio = two["rps"] / one["rps"]
        per_cpu_one = (one["requests"] - one["errors"]) / max(1e-9, sum(cpu_one["per_replica"]))
        per_cpu_two = (two["requests"] - two["errors"]) / max(1e-9, sum(cpu_two["per_replica"]))
        print(
            f"2 replicas / 1 replica throughput: {ratio:.2f}x (target >= 1.6x, zero errors): "
            f"{'met' if ratio >= 1.6 and not one['errors'] and not two['errors'] else 'NOT met'}; "
            f"searches per replica CPU-second {per_cpu_one:.1f} (1) and {per_cpu_two:.1f} (2)"
        )
        node_model(two, cpu_two, args.ray_cpus)

        if running_replicas() != 2:
            deploy_warm(settings, 2, base, queries)
        kill_at = args.kill_seconds / 3
        recovery: dict = {}

        def killer(window_start: float) -> None:
            def run() -> None:
                time.sleep(kill_at)
                before = set(cluster.replica_actor_names())
                victim = sorted(before)[0]
                killed = time.perf_counter()
                cluster.kill_replica(victim)
                recovery["killed_at"] = killed - window_start
                while time.perf_counter() - killed < 120:  # may outlast the window: waited for below
                    # recovered: a replacement exists (a name not there before) and Serve runs 2 replicas
                    if set(cluster.replica_actor_names()) - before and running_replicas() >= 2:
                        recovery["seconds"] = time.perf_counter() - killed
                        return
                    time.sleep(0.1)

            recovery["thread"] = threading.Thread(target=run, daemon=True)
            recovery["thread"].start()

        samples, cpu = closed_loop(
            base, queries, args.clients, args.warmup, args.kill_seconds, ray_processes, on_tick=killer
        )
        recovery["thread"].join(timeout=130)  # the one-client run below needs both replicas up
        row = summary(samples, args.kill_seconds)
        print_level("kill 1 of 2", row, cpu, args.kill_seconds)
        killed_at = recovery.get("killed_at", float("nan"))
        failed = [(s[0] - killed_at, s[0] + s[1] - killed_at) for s in samples if not s[2]]
        in_flight = sum(1 for started, ended in failed if started <= 0 <= ended + 0.5)
        print(
            f"replica killed at {killed_at:.1f} s of the window: {row['errors']} failed request(s), "
            f"{in_flight} of them in flight at the kill (start, end in s from the kill: "
            f"{[(round(a, 2), round(b, 2)) for a, b in failed[:20]]}); 2 replicas running again after "
            f"{recovery.get('seconds', float('nan')):.1f} s"
        )

        one_client_overhead(base, args.index_dir, queries, args.single_rounds, args.single_requests)
    finally:
        serve.shutdown()
        import ray

        ray.shutdown()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

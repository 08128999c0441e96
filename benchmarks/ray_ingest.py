"""Embedding throughput at ingest on Ray actors (search_app.cluster_ingest): 1 and 2 workers, and N nodes.

Takes the embedding units of the bundled corpus (index.dense.make_units, as index.build does), repeated
up to `--passages`, and embeds them in the build's batches of 256 (a) in this process on one encoder
thread, (b) on a pool of 1 and then 2 Ray actors of one CPU and one encoder thread each, on a local Ray
instance. Prints passages/s, the actors' start-up time (not in the rate), the CPU seconds of the driver
(this process) and of the actors, and a model of N nodes drawn from the per-actor rate.

    PYTHONPATH=. .venv/bin/python benchmarks/ray_ingest.py --passages 1024
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from index.build import EMBED_BATCH  # noqa: E402
from index.dense import make_units  # noqa: E402
from search_app import cluster  # noqa: E402
from search_app.settings import Settings  # noqa: E402


def unit_texts(count: int) -> list[str]:
    from ingest.pipeline import ingest_paths

    corpus = ingest_paths([REPO_ROOT / "data"])
    units = make_units({d.doc_id: d for d in corpus.documents}, corpus.paragraphs)
    texts = [u.text for u in units]
    return [texts[i % len(texts)] for i in range(count)]


def timed(encode, texts: list[str]) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    out = [encode(texts[i : i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)]
    return time.perf_counter() - started, np.concatenate(out)


def actor_cpu_seconds() -> float:
    import psutil

    total = 0.0
    for proc in psutil.process_iter(["cmdline"]):
        if "PassageActor" in " ".join(proc.info["cmdline"] or []):
            t = proc.cpu_times()
            total += t.user + t.system
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passages", type=int, default=1024)
    parser.add_argument("--ray-cpus", type=int, default=2)
    args = parser.parse_args()

    import psutil

    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} CPUs")
    texts = unit_texts(args.passages)
    os.environ["OMP_NUM_THREADS"] = "1"  # the single-process baseline on one encoder thread, as an actor
    settings = Settings()
    embedder = settings.make_embedder()
    embedder.encode_passages(texts[:8])
    me = psutil.Process()
    cpu_before = sum(me.cpu_times()[:2])
    seconds, reference = timed(embedder.encode_passages, texts)
    baseline_cpu = sum(me.cpu_times()[:2]) - cpu_before
    print(f"{len(texts)} units, batches of {EMBED_BATCH}")
    print(f"{'where':<22} {'passages/s':>10} {'start s':>8} {'driver cpu s':>12} {'actors cpu s':>12}")
    print(
        f"{'1 process, 1 thread':<22} {len(texts) / seconds:>10.1f} {'-':>8} {baseline_cpu:>12.1f} {'-':>12}"
    )
    os.environ.pop("OMP_NUM_THREADS")

    from search_app.cluster_ingest import RayPassageEncoder

    cluster.connect("local", num_cpus=args.ray_cpus, log_to_driver=False)
    rates, per_cpu = {}, {}
    try:
        for workers in (1, 2):
            started = time.perf_counter()
            with RayPassageEncoder(settings, embedder.name, workers=workers) as encoder:
                start_up = time.perf_counter() - started
                encoder(texts[:8])
                cpu_before, actors_before = sum(me.cpu_times()[:2]), actor_cpu_seconds()
                seconds, vectors = timed(encoder, texts)
                driver = sum(me.cpu_times()[:2]) - cpu_before
                actors = actor_cpu_seconds() - actors_before
            assert np.allclose(vectors, reference, atol=1e-5), "Ray actors gave other vectors"
            rates[workers] = len(texts) / seconds
            per_cpu[workers] = len(texts) / max(actors, 1e-9)
            print(
                f"{f'Ray, {workers} worker(s)':<22} {rates[workers]:>10.1f} {start_up:>8.1f} {driver:>12.1f} {actors:>12.1f}"
            )
    finally:
        import ray

        ray.shutdown()
    # a shared machine gives the actors less than their CPUs: the rate per CPU-second they actually got
    # is what a node of idle cores multiplies
    per_core = per_cpu[2]
    print(
        f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x wall; passages per actor CPU-second "
        f"{per_cpu[1]:.1f} (1 worker), {per_cpu[2]:.1f} (2 workers); model at {per_core:.1f}/s per core: "
        + ", ".join(
            f"{n} nodes of {args.ray_cpus} cores ~{n * args.ray_cpus * per_core:.0f}/s" for n in (1, 2, 4, 8)
        )
        + " (the one writer's BM25 build, file reading and index write are not in these rates)"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

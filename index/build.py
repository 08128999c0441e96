"""Build the search index of a corpus: embeddings, FAISS, BM25 fields and the tone lexicon.

Consumes a `Corpus` (from ingest) and an `Embedder`; produces a new build folder inside `index_dir`
(layout in index.store) and swaps it in atomically. Vectors of units whose text did not change are
reused from the serving build when it was made by the same embedder, so re-ingesting re-embeds only
changed files; documents no longer in the corpus simply are not in the new build.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from index import store
from index.analysis import exact_tokens, folded_tokens
from index.dense import DenseIndex, Unit, make_units
from index.embedders import Embedder
from index.lexical import DocumentEvidence, LexicalIndex, document_runs
from index.tones import ToneRestorer
from ingest.models import Corpus
from ingest.normalize import normalize

EMBED_BATCH = 256


@dataclass
class BuildReport:
    embedded: int  # paragraphs with at least one unit embedded anew
    reused: int  # paragraphs whose vectors all came from the previous build
    units: int
    documents: int
    paragraphs: int
    folder: Path


def _previous_vectors(index_dir: Path, embedder: Embedder) -> dict[str, np.ndarray]:
    """Cache key -> vector from the serving build, when it used this embedder."""
    build = store.current_build(index_dir)
    if build is None:
        return {}
    try:
        manifest = store.read_manifest(build)
        if manifest.get("embedder", {}).get("name") != embedder.name:
            return {}
        vectors = np.load(build / "vectors.npy", allow_pickle=False)
        with open(build / "units.jsonl", encoding="utf-8") as f:
            keys = [json.loads(line)["key"] for line in f]
    except (OSError, ValueError, KeyError):
        return {}  # an unreadable previous build is simply not reused
    if len(keys) != len(vectors):
        return {}
    return dict(zip(keys, vectors))


def _embed(units: list[Unit], embedder: Embedder, cache: dict[str, np.ndarray], progress: bool):
    keys = [u.key(embedder.name) for u in units]
    vectors = np.zeros((len(units), embedder.dim), dtype=np.float32)
    todo = [i for i, key in enumerate(keys) if key not in cache]
    for i, key in enumerate(keys):
        if key in cache:
            vectors[i] = cache[key]
    batches = range(0, len(todo), EMBED_BATCH)
    if progress and todo:
        from rich.progress import track

        batches = track(batches, description=f"Nhúng {len(todo)} đoạn", transient=True)
    for start in batches:
        chunk = todo[start : start + EMBED_BATCH]
        vectors[chunk] = embedder.encode_passages([units[i].text for i in chunk])
    return keys, vectors, set(todo)


def build_index(corpus: Corpus, index_dir: Path, embedder: Embedder, progress: bool = False) -> BuildReport:
    """Write a complete new index of `corpus` into `index_dir` and make it the serving one."""
    from ingest.store import write_corpus, write_paragraph_columns

    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    documents = {d.doc_id: d for d in corpus.documents}
    paragraphs = [p for p in corpus.paragraphs if p.doc_id in documents]
    partial = store.new_build_folder(index_dir)
    try:
        units = make_units(documents, paragraphs)
        keys, vectors, fresh = _embed(units, embedder, _previous_vectors(index_dir, embedder), progress)
        unit_paragraph = np.array([u.paragraph for u in units], dtype=np.int64)
        texts = [normalize(p.text) for p in paragraphs]
        lexical = LexicalIndex.build(
            {"exact": [exact_tokens(t) for t in texts], "folded": [folded_tokens(t) for t in texts]}
        )
        dense = DenseIndex.build(vectors, unit_paragraph)

        stored = Corpus(documents=list(documents.values()), paragraphs=paragraphs,
                        mandates=[m for m in corpus.mandates if m.doc_id in documents])
        write_corpus(stored, partial)
        write_paragraph_columns(stored, partial)  # what Searcher.load reads: no per-record validation at load
        with open(partial / "units.jsonl", "w", encoding="utf-8") as f:
            for unit, key in zip(units, keys):
                f.write(json.dumps({"paragraph": unit.paragraph, "start": unit.start, "end": unit.end, "key": key}) + "\n")
        np.save(partial / "vectors.npy", vectors, allow_pickle=False)
        # The same unit table as an array: the searcher loads this, not the JSONL (load time at 100k).
        table = np.array([(u.paragraph, u.start, u.end) for u in units], dtype=np.int64).reshape(-1, 3)
        np.save(partial / "units.npy", table, allow_pickle=False)
        dense.save(partial / "dense.faiss")
        lexical.save(partial)
        runs = document_runs([p.doc_id for p in paragraphs])  # as the searcher numbers them (stored order)
        DocumentEvidence.save(partial, DocumentEvidence.postings_of(lexical, runs))
        ToneRestorer.learn(texts + [normalize(d.title or "") for d in documents.values()]).save(partial / "lexicon.json")
        fresh_paragraphs = {units[i].paragraph for i in fresh}
        store.write_json(partial / store.MANIFEST, {
            "format_version": store.FORMAT_VERSION,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "embedder": {"name": embedder.name, "dim": int(embedder.dim)},
            "counts": {"documents": len(documents), "paragraphs": len(paragraphs), "units": len(units),
                       "skipped_files": len(corpus.skipped)},
            "dense_index": type(dense.index).__name__,
            "sources": {d.source_path: d.source_sha256 for d in documents.values()},
        })
        final = store.publish(index_dir, partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    store.clean_old_builds(index_dir)
    return BuildReport(
        embedded=len(fresh_paragraphs),
        reused=len(paragraphs) - len(fresh_paragraphs),
        units=len(units),
        documents=len(documents),
        paragraphs=len(paragraphs),
        folder=final,
    )


def ensure_index(index_dir: Path, data_dir: Path, embedder: Embedder, progress: bool = True) -> None:
    """Ingest `data_dir` and build an index when `index_dir` holds none (first `tracuu serve`)."""
    if store.current_build(index_dir) is not None:
        return
    from ingest.pipeline import ingest_paths

    corpus = ingest_paths([Path(data_dir)], progress=progress)
    if not corpus.documents:
        raise RuntimeError(f"no readable documents in {data_dir}; cannot build an index")
    build_index(corpus, index_dir, embedder, progress=progress)

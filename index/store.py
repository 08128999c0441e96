"""Layout of an index folder on disk and its atomic replacement.

An index folder holds `builds/<build-id>/` folders and a symlink `current` naming the one that
serves. A build is written into `builds/<build-id>.partial/`, renamed when complete, and `current`
is then replaced with `os.replace` (atomic on POSIX): a crash or `kill -9` at any moment leaves
the previous `current` intact. Each build folder is inspectable and pickle-free:

    manifest.json      format version, embedder name and dimension, counts, source file hashes
    documents.jsonl    paragraphs.jsonl   (ingest.store.write_corpus)
    paragraphs.columns.json  the paragraphs as columns, what the searcher loads (ingest.store.write_paragraph_columns)
    units.jsonl        one line per embedded unit: paragraph index, offsets, cache key
    units.npy          the same as an int64 array (paragraph, start, end), what the searcher loads
    vectors.npy        float32 unit vectors, row i = line i of units.jsonl
    dense.faiss        FAISS index over vectors.npy
    bm25_exact/  bm25_folded/   bm25s arrays (.npy) and vocabulary (.json)
    context_<field>_{data,documents,indptr}.npy   per token and document, the best paragraph's BM25
                       (index.lexical.DocumentEvidence; computed at load for a build without them)
    lexicon.json       tone-restoration lexicon learned from the corpus
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

FORMAT_VERSION = 4  # 2: units.npy added; 3: paragraphs carry attached_number (ingest format 2); 4: ocr (ingest 3)
CURRENT = "current"
BUILDS = "builds"
MANIFEST = "manifest.json"
PARTIAL = ".partial"


def current_build(index_dir: Path) -> Path | None:
    """The serving build folder of `index_dir` (or `index_dir` itself when it is a build folder)."""
    index_dir = Path(index_dir)
    if (index_dir / MANIFEST).is_file():
        return index_dir
    link = index_dir / CURRENT
    if link.is_symlink() or link.is_dir():
        target = link.resolve()
        if (target / MANIFEST).is_file():
            return target
    return None


def read_manifest(build: Path) -> dict:
    return json.loads((build / MANIFEST).read_text(encoding="utf-8"))


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def new_build_folder(index_dir: Path) -> Path:
    builds = Path(index_dir) / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    folder = builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.getpid()}{PARTIAL}"
    folder.mkdir()
    return folder


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(index_dir: Path, partial: Path) -> Path:
    """Make a complete partial build the serving one, atomically; returns its final folder."""
    index_dir = Path(index_dir)
    _fsync_tree(partial)
    final = partial.with_name(partial.name[: -len(PARTIAL)])
    os.rename(partial, final)
    tmp_link = index_dir / f".{CURRENT}-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path(BUILDS) / final.name, tmp_link)
    os.replace(tmp_link, index_dir / CURRENT)
    _fsync_dir(index_dir)
    return final


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_old_builds(index_dir: Path) -> None:
    """Remove builds other than the serving one, and partial builds whose process is gone."""
    serving = current_build(index_dir)
    builds = Path(index_dir) / BUILDS
    if not builds.is_dir():
        return
    for folder in builds.iterdir():
        if serving is not None and folder.resolve() == serving:
            continue
        if folder.name.endswith(PARTIAL):
            pid = folder.name[: -len(PARTIAL)].rsplit("-", 1)[-1]
            if pid.isdigit() and _pid_alive(int(pid)):
                continue  # another build in progress
        shutil.rmtree(folder, ignore_errors=True)

"""Layout of an index folder on disk and its atomic replacement.

An index folder holds `builds/<build-id>/` folders and a symlink `current` naming the one that
serves. A build is written into `builds/<build-id>.partial/`, renamed when complete, and `current`
is then replaced with `os.replace` (atomic on POSIX): a crash or `kill -9` at any moment leaves
the previous `current` intact. Each build folder is inspectable and pickle-free:

    manifest.json      format version, embedder name and dimension, the RetrievalConfig, counts, hashes
    documents.jsonl    one document per line, with its text (ingest.store.write_corpus)
    paragraphs.columns.json  the paragraphs once, as columns of offsets into their document's text
    units.npy          one row per embedded unit: (paragraph, start, end)
    unit_keys.json     each unit's cache key (its text and the embedder), row i of units.npy
    dense.faiss        FAISS index over the unit vectors, their only copy
    bm25_exact/  bm25_folded/   bm25s arrays (.npy) and vocabulary (.json)
    context_<field>_{data,documents,indptr}.npy   per token and document, the best paragraph's BM25
                       (index.lexical.DocumentEvidence; computed at load for a build without them)
    lexicon.json       tone-restoration lexicon learned from the corpus

Beside `builds/` and `current`: `.lock`, the OS file lock an ingest holds from its first read of the
serving build to its clean-up (`index_lock`), and `.pins/`, one empty file per process and build it
loads or serves (`pin_build`); clean-up never removes a build a live process pins.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

FORMAT_VERSION = 8  # 2: units.npy; 3: Paragraph.attached_number; 4: Paragraph.ocr; 5: lexicon format 3;
# 6: mandates.jsonl; 7: typed relations (ingest 4); 8: Document.access (ingest 5), RetrievalConfig in the
# manifest, paragraphs and vectors stored once
CURRENT = "current"
BUILDS = "builds"
MANIFEST = "manifest.json"
PARTIAL = ".partial"
LOCK = ".lock"
PINS = ".pins"


class IndexBusy(RuntimeError):
    """Another process holds the index folder's lock and the caller chose not to wait."""


@contextmanager
def index_lock(
    index_dir: Path, wait: bool = True, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the folder's ingest lock; a second ingest waits for it (calling `on_wait` once) or, with
    `wait=False`, raises IndexBusy. The OS drops the lock when its process dies, so none goes stale."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(index_dir / LOCK, is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise IndexBusy(f"một lần lập chỉ mục khác đang chạy trên {index_dir}") from None
        if on_wait is not None:
            on_wait()
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def pin_build(index_dir: Path, build: Path) -> Path:
    """Mark `build` as used by this process, so clean-up keeps it; returns the pin to pass to unpin."""
    pins = Path(index_dir) / PINS
    pins.mkdir(parents=True, exist_ok=True)
    pin = pins / f"{os.getpid()}.{Path(build).name}"
    pin.touch()
    return pin


def unpin(pin: Path) -> None:
    Path(pin).unlink(missing_ok=True)


def _pinned_builds(index_dir: Path) -> set[str]:
    """Build names pinned by live processes; pins of dead processes are removed."""
    pins = Path(index_dir) / PINS
    names: set[str] = set()
    if not pins.is_dir():
        return names
    for pin in pins.iterdir():
        pid, _, name = pin.name.partition(".")
        if pid.isdigit() and _pid_alive(int(pid)):
            names.add(name)
        else:
            pin.unlink(missing_ok=True)
    return names


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
    """Remove builds other than the serving one and those live processes pin, partial builds and
    temporary `current` links whose process is gone."""
    index_dir = Path(index_dir)
    serving = current_build(index_dir)
    for link in index_dir.glob(f".{CURRENT}-*"):
        pid = link.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _pid_alive(int(pid))):
            link.unlink(missing_ok=True)
    builds = index_dir / BUILDS
    if not builds.is_dir():
        return
    pinned = _pinned_builds(index_dir)
    for folder in builds.iterdir():
        if serving is not None and folder.resolve() == serving or folder.name in pinned:
            continue
        if folder.name.endswith(PARTIAL):
            pid = folder.name[: -len(PARTIAL)].rsplit("-", 1)[-1]
            if pid.isdigit() and _pid_alive(int(pid)):
                continue  # another build in progress
        shutil.rmtree(folder, ignore_errors=True)

"""The running server follows the index: a new build swapped in by `tracuu ingest` is served without a restart.

Consumes the app's state, the index folder and the embedder; `ServedIndex` loads the serving build
(pinned, so an ingest's clean-up never removes it while this process uses it) and, in a background
thread, polls the folder's `current` link. When it names another build, the new `Searcher` is loaded
beside the old one and put on `app.state.searcher` in one assignment: a request resolves its searcher
once (FastAPI caches a dependency per request), so none fails and none sees a mix of two builds.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from index import store
from index.searcher import IndexLoadError, Searcher

log = logging.getLogger(__name__)


class ServedIndex:
    def __init__(self, state, index_dir: Path, embedder, query_cache: int, interval: float):
        self.state, self.index_dir, self.embedder = state, Path(index_dir), embedder
        self.query_cache, self.interval = query_cache, interval
        self._pin: Path | None = None
        self._failed: Path | None = None  # a build that would not load: not retried until current moves
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def load_current(self) -> Searcher:
        """Load the serving build and put it on the app's state (raises IndexLoadError)."""
        build = store.current_build(self.index_dir)
        if build is None:
            raise IndexLoadError(
                f"Chưa có chỉ mục trong {self.index_dir}: hãy chạy `tracuu ingest <tệp hoặc thư mục>`."
            )
        self._swap(build)
        return self.state.searcher

    def _swap(self, build: Path) -> None:
        pin = self._pin_quietly(build)
        try:
            searcher = Searcher.load(build, self.embedder, self.query_cache)
        except BaseException:
            if pin is not None:
                store.unpin(pin)
            raise
        old_pin, self._pin = self._pin, pin
        self.state.searcher = searcher  # the swap: one reference assignment
        if old_pin is not None and old_pin != pin:
            store.unpin(old_pin)

    def _pin_quietly(self, build: Path) -> Path | None:
        try:
            return store.pin_build(self.index_dir, build)
        except OSError:  # a read-only index folder: nothing can clean it up under us either
            return None

    def check(self) -> bool:
        """Load the build `current` names if it is not the one served; True when it swapped."""
        build = store.current_build(self.index_dir)
        served = getattr(self.state.searcher, "build", None)
        if build is None or build == served or build == self._failed:
            return False
        try:
            self._swap(build)
        except IndexLoadError as exc:
            self._failed = build
            log.error("new index build not served, the previous one still is: %s", exc)
            return False
        log.info("now serving index build %s", build.name)
        return True

    def start(self) -> None:
        if self.interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._watch, name="index-watcher", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # the watcher must outlive any odd state of the folder
                log.exception("checking %s for a new index build failed", self.index_dir)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._pin is not None:
            store.unpin(self._pin)
            self._pin = None

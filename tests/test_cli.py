"""The `tracuu` command line and the settings it reads (flags and TRACUU_* variables)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from search_app.cli import app
from search_app.settings import Settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def _engine_threads_stay_local(monkeypatch):
    # `tracuu ingest` sets OMP_NUM_THREADS for its own process; in-process runs must not leak it.
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def test_help_lists_every_subcommand_in_plain_words():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "search", "serve", "eval"):
        assert command in result.output


def test_settings_come_from_environment_and_flags_win(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACUU_INDEX_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("TRACUU_PORT", "8123")
    settings = Settings()
    assert settings.index_dir == tmp_path / "from-env"
    assert settings.port == 8123
    assert Settings(index_dir=tmp_path / "from-flag").index_dir == tmp_path / "from-flag"


def test_ingest_of_a_missing_path_is_a_clear_error(tmp_path):
    result = runner.invoke(
        app, ["ingest", str(tmp_path / "no-such-folder"), "--index-dir", str(tmp_path / "idx")]
    )
    assert result.exit_code == 2
    assert "no-such-folder" in result.output
    assert not (tmp_path / "idx").exists()


def _manifest(index_dir: Path) -> str:
    return next(index_dir.rglob("manifest.json")).read_text(encoding="utf-8")


def test_ingest_of_only_unreadable_files_keeps_the_existing_index(tmp_path, bundled_index_dir):
    before = _manifest(bundled_index_dir)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(app, ["ingest", str(bad), "--index-dir", str(bundled_index_dir)])
    assert result.exit_code == 2
    assert "empty.txt" in result.output and "binary.txt" in result.output
    assert _manifest(bundled_index_dir) == before


def test_search_rejects_an_empty_query_with_a_message(bundled_index_dir):
    result = runner.invoke(app, ["search", "   ", "--index-dir", str(bundled_index_dir)])
    assert result.exit_code == 2
    assert "Lỗi" in result.output


def test_search_without_an_index_says_so(tmp_path):
    result = runner.invoke(app, ["search", "an ninh", "--index-dir", str(tmp_path / "nothing-here")])
    assert result.exit_code == 2
    assert "Lỗi" in result.output


def test_search_json_prints_the_api_response_shape(bundled_index_dir):
    result = runner.invoke(
        app,
        ["search", "trách nhiệm người đứng đầu", "-k", "3", "--json", "--index-dir", str(bundled_index_dir)],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["query"] == "trách nhiệm người đứng đầu"
    assert len(payload["results"]) == 3
    first = payload["results"][0]
    for key in (
        "paragraph_id",
        "doc_id",
        "doc_number",
        "doc_title",
        "doc_type",
        "issuer",
        "date",
        "section",
        "text",
        "highlights",
        "score",
        "url",
        "also_in",
    ):
        assert key in first
    assert first["url"].startswith(f"/documents/{first['doc_id']}#p-")
    assert payload["answer"]["citation"]["label"]


def test_an_unusable_embedder_setting_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACUU_EMBEDDER", "sentence-transformers")
    monkeypatch.delenv("TRACUU_ST_MODEL", raising=False)
    result = runner.invoke(app, ["search", "an ninh", "--index-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "TRACUU_ST_MODEL" in result.output

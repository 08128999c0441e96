"""Bad input on small files made here: legacy encodings recognised, each bad file skipped with its own clear
reason while the good files next to it are still ingested, a missing path, a stored corpus of another version."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_fixtures import LETTER, TCVN3_TEXT, VNI_TEXT, write_pdf

from ingest.encoding import legacy_encoding
from ingest.models import FORMAT_VERSION
from ingest.pipeline import ingest_paths
from ingest.store import CorpusFormatError, read_corpus, write_corpus


def _reason(corpus, name: str) -> str:
    reasons = [
        s.reason for s in corpus.skipped if Path(s.path.split(":")[0]).name == name or s.path.endswith(name)
    ]
    assert reasons, f"{name} not skipped: {corpus.skipped}"
    return reasons[0]


@pytest.mark.parametrize("text, expected", [(TCVN3_TEXT, "TCVN3 (ABC)"), (VNI_TEXT, "VNI")])
def test_legacy_encoding_detection(text: str, expected: str) -> None:
    assert legacy_encoding(text) == expected


def test_real_unicode_and_french_are_not_legacy() -> None:
    assert legacy_encoding(LETTER) is None
    assert (
        legacy_encoding("Le président a réuni le comité à Genève pour la dernière séance de l'année.") is None
    )


def test_bad_files_get_clear_reasons_and_good_files_still_ingest(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(LETTER, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("   \n\n  \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "tcvn3.txt").write_bytes(TCVN3_TEXT.encode("cp1252"))
    (tmp_path / "vni.txt").write_bytes(VNI_TEXT.encode("cp1252"))
    (tmp_path / "mojibake.txt").write_text(TCVN3_TEXT, encoding="utf-8")  # legacy bytes re-saved as UTF-8
    write_pdf(tmp_path / "scan.pdf", [])
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    (tmp_path / "portal.txt").write_text(
        "Đăng nhập\n\nĐang tải văn bản...\n\nIP: 1.2.3.4\n", encoding="utf-8"
    )
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    corpus = ingest_paths([tmp_path])
    assert [d.source_path.rsplit("/", 1)[-1] for d in corpus.documents] == ["good.txt"]
    assert "rỗng" in _reason(corpus, "empty.txt")
    assert "rỗng" in _reason(corpus, "blank.md")
    assert "nhị phân" in _reason(corpus, "binary.txt")
    assert "TCVN3" in _reason(corpus, "tcvn3.txt")
    assert "VNI" in _reason(corpus, "vni.txt")
    assert "TCVN3" in _reason(corpus, "mojibake.txt")
    assert "lớp chữ" in _reason(corpus, "scan.pdf")
    assert "PDF" in _reason(corpus, "broken.pdf")
    assert "docx" in _reason(corpus, "broken.docx")
    assert "làm sạch" in _reason(corpus, "portal.txt")
    assert "không hỗ trợ" in _reason(corpus, "image.png")
    assert len(corpus.skipped) == 11


def test_missing_path_is_reported(tmp_path: Path) -> None:
    corpus = ingest_paths([tmp_path / "nope.txt"])
    assert corpus.documents == [] and "không tìm thấy" in corpus.skipped[0].reason


def test_store_round_trip_and_version_check(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(LETTER, encoding="utf-8")
    (tmp_path / "src" / "empty.txt").write_bytes(b"")
    corpus = ingest_paths([tmp_path / "src"])
    write_corpus(corpus, tmp_path / "out")
    assert (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").count("\n") == 1
    again = read_corpus(tmp_path / "out")
    assert again == corpus
    path = tmp_path / "out" / "paragraphs.jsonl"
    path.write_text(
        path.read_text(encoding="utf-8").replace(f'"format_version":{FORMAT_VERSION}', '"format_version":99'),
        encoding="utf-8",
    )
    with pytest.raises(CorpusFormatError, match="phiên bản"):
        read_corpus(tmp_path / "out")

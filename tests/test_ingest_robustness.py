"""Files offices really have: one bad file is one skipped file, given ids kept, pathological sizes bounded."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from ingest_fixtures import write_docx

from index.dense import LONG_PARAGRAPH_CHARS, _windows
from ingest import readers
from ingest.ids import paragraph_prefix
from ingest.limits import MB, IngestLimits
from ingest.pipeline import ingest_paths
from ingest.units import MAX_PARAGRAPH_CHARS

BODY = "Công an xã tuyên truyền pháp luật về an ninh, trật tự cho nhân dân trên địa bàn."


def test_any_exception_from_one_file_skips_only_that_file(tmp_path, monkeypatch):
    (tmp_path / "good.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "odd.html").write_text("<html><body><p>Trang web.</p></body></html>", encoding="utf-8")
    real = readers._read_html

    def broken(data):
        raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")

    monkeypatch.setattr(readers, "_read_html", broken)
    corpus = ingest_paths([tmp_path])
    assert [d.source_path for d in corpus.documents] == [str(tmp_path / "good.txt")]
    [skipped] = corpus.skipped
    assert (
        skipped.path.endswith("odd.html")
        and "ImportError" in skipped.reason
        and "lxml_html_clean" in skipped.reason
    )
    monkeypatch.setattr(readers, "_read_html", real)
    assert (
        len(ingest_paths([tmp_path]).documents) == 2
    )  # the run install reads HTML (lxml_html_clean installed)


def test_a_nul_byte_in_one_jsonl_line_skips_that_line_only(tmp_path):
    good = json.dumps({"id": "a", "text": BODY}, ensure_ascii=False).encode()
    bad = b'{"id": "b", "text": "c\x00d"}'
    latin = b'{"id": "c", "text": "\xff\xfe"}'
    (tmp_path / "docs.jsonl").write_bytes(
        good + b"\n" + bad + b"\n" + latin + b"\n" + good.replace(b'"a"', b'"d"')
    )
    corpus = ingest_paths([tmp_path])
    assert sorted(d.doc_id for d in corpus.documents) == ["a", "d"]
    reasons = {s.path.rsplit(":", 1)[-1]: s.reason for s in corpus.skipped}
    assert "NUL" in reasons["2"] and "UTF-8" in reasons["3"]


GIVEN_IDS = ["Luật Phòng, chống ma túy|1", "KH 177/TU", "a/b/c", "Ủy ban nhân dân tỉnh"]


def test_given_ids_are_kept_exactly_and_paragraph_ids_stay_url_safe(tmp_path):
    lines = [
        json.dumps({"id": i, "text": f"{BODY} Bản {n}."}, ensure_ascii=False) for n, i in enumerate(GIVEN_IDS)
    ]
    (tmp_path / "docs.jsonl").write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "letter.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "letter.txt.meta.json").write_text(
        json.dumps({"id": "CV 12/UBND-VP", "number": "12/UBND-VP"}), encoding="utf-8"
    )
    corpus = ingest_paths([tmp_path])
    assert not corpus.skipped
    assert sorted(d.doc_id for d in corpus.documents) == sorted(GIVEN_IDS + ["CV 12/UBND-VP"])
    letter = next(d for d in corpus.documents if d.doc_id == "CV 12/UBND-VP")
    assert letter.number == "12/UBND-VP" and "id" not in letter.metadata_sources
    for paragraph in corpus.paragraphs:
        assert paragraph.paragraph_id.startswith(paragraph_prefix(paragraph.doc_id))
        assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in paragraph.paragraph_id)
    assert paragraph_prefix("ke-hoach-177") == "ke-hoach-177"  # file-derived ids: paragraph ids as before
    assert paragraph_prefix("KH 177/TU") != paragraph_prefix("kh-177-tu")


def test_a_duplicate_given_id_is_an_error_naming_both_places(tmp_path):
    (tmp_path / "one.jsonl").write_text(
        json.dumps({"id": "KL44", "text": BODY}, ensure_ascii=False), encoding="utf-8"
    )
    (tmp_path / "two.jsonl").write_text(
        json.dumps({"id": "x", "text": BODY})
        + "\n"
        + json.dumps({"id": "KL44", "text": BODY + " Khác."}, ensure_ascii=False),
        encoding="utf-8",
    )
    corpus = ingest_paths([tmp_path])
    assert sorted(d.doc_id for d in corpus.documents) == ["KL44", "x"]
    [skipped] = corpus.skipped
    assert skipped.path == f"{tmp_path / 'two.jsonl'}:2"
    assert "trùng" in skipped.reason and f"{tmp_path / 'one.jsonl'}:1" in skipped.reason


@pytest.mark.parametrize("bad_id", ["", "   ", "a\nb", "x" * 201])
def test_an_id_that_cannot_be_a_key_is_refused(tmp_path, bad_id):
    (tmp_path / "docs.jsonl").write_text(json.dumps({"id": bad_id, "text": BODY}), encoding="utf-8")
    corpus = ingest_paths([tmp_path])
    assert not corpus.documents and len(corpus.skipped) == 1


def test_text_without_punctuation_becomes_bounded_paragraphs_and_units(tmp_path):
    words = ["cán", "bộ", "dân", "an", "ninh", "tổ", "quốc", "xã", "phường", "thôn"]
    (tmp_path / "lines.txt").write_text(
        "\n".join(words[i % 10] + str(i % 7) for i in range(100_000)), encoding="utf-8"
    )
    (tmp_path / "one-line.txt").write_text(" ".join(words * 3000), encoding="utf-8")
    corpus = ingest_paths([tmp_path])
    assert len(corpus.documents) == 2
    for document in corpus.documents:
        paragraphs = corpus.paragraphs_of(document.doc_id)
        assert len(paragraphs) > 10
        assert max(len(p.text) for p in paragraphs) <= MAX_PARAGRAPH_CHARS
        assert all(document.text[p.start : p.end] == p.text for p in paragraphs)
        for paragraph in paragraphs:
            windows = _windows(paragraph.text)  # a block without a sentence end: one window, its start
            assert windows == [(0, windows[0][1])] and 0 < windows[0][1] <= LONG_PARAGRAPH_CHARS


def test_files_over_the_size_limit_are_skipped_with_the_reason(tmp_path):
    (tmp_path / "big.txt").write_text(BODY * 400, encoding="utf-8")  # ~35 KB
    (tmp_path / "small.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "docs.jsonl").write_text(
        json.dumps({"id": "big", "text": BODY * 400}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": "ok", "text": BODY}, ensure_ascii=False),
        encoding="utf-8",
    )
    corpus = ingest_paths([tmp_path], limits=IngestLimits(max_text_bytes=20_000))
    assert sorted(d.doc_id for d in corpus.documents) == ["ok", "small"]
    reasons = {Path(s.path.split(":")[0]).name: s.reason for s in corpus.skipped}
    assert set(reasons) == {"big.txt", "docs.jsonl"} and all("quá lớn" in r for r in reasons.values())
    assert IngestLimits().max_text_bytes == 20 * MB


def test_a_docx_zip_bomb_is_refused(tmp_path):
    path = write_docx(tmp_path / "bomb.docx", [BODY])
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    xml = parts["word/document.xml"].decode()
    filler = "<w:p><w:r><w:t>" + "A" * 1000 + "</w:t></w:r></w:p>"
    parts["word/document.xml"] = xml.replace("<w:body>", "<w:body>" + filler * 3000).encode()  # ~3 MB of XML
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert path.stat().st_size < 100_000
    corpus = ingest_paths([path], limits=IngestLimits(max_docx_xml_bytes=1 * MB))
    assert not corpus.documents
    assert "zip bomb" in corpus.skipped[0].reason
    assert IngestLimits().max_docx_xml_bytes < 80 * MB  # the 80 MB bomb an office user met is refused
    assert len(ingest_paths([path]).documents) == 1  # within the default limit: read


def test_progress_is_plain_lines_when_output_is_not_a_terminal(tmp_path, capsys):
    for n in range(3):
        (tmp_path / f"f{n}.txt").write_text(f"{BODY} Số {n}.", encoding="utf-8")
    ingest_paths([tmp_path], progress=True)
    err = capsys.readouterr().err
    assert "Đang đọc văn bản 1/3" in err and "3/3" in err and "\r" not in err and "\x1b[" not in err

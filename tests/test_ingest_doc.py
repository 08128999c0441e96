"""Legacy Word `.doc`: made at test time by LibreOffice from a python-docx document, read back through
the real pipeline (LibreOffice headless -> .docx -> the .docx reader) with its Vietnamese diacritics,
header table and metadata; without LibreOffice, or for files that are no Word document or are typed in a
legacy Vietnamese encoding, the file is skipped with a reason."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ingest_fixtures import TCVN3_TEXT

from ingest.legacy_doc import converter_command
from ingest.pipeline import ingest_paths

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice not installed (make test installs libreoffice-writer-nogui)"
)

HEADER = [
    ["HUYỆN ỦY DƯƠNG MINH CHÂU", "ĐẢNG CỘNG SẢN VIỆT NAM"],
    ["Số: 215-CV/HU", "Dương Minh Châu, ngày 18 tháng 9 năm 2023"],
]
BODY = [
    "V/v tăng cường lãnh đạo công tác phòng, chống ma túy",
    "Thực hiện Chỉ thị số 36-CT/TW ngày 16 tháng 8 năm 2019 của Bộ Chính trị, Ban Thường vụ Huyện ủy "
    "đề nghị các cấp ủy, tổ chức đảng quán triệt sâu sắc nội dung Chỉ thị đến cán bộ, đảng viên.",
    "Ủy ban nhân dân huyện chỉ đạo lực lượng công an phối hợp với Mặt trận Tổ quốc và các đoàn thể "
    "tuyên truyền, vận động nhân dân tố giác tội phạm; định kỳ sáu tháng báo cáo kết quả.",
]


def word_97(docx_path: Path, out_dir: Path) -> Path:
    """The .docx saved as Word 97-2003 by LibreOffice, the way an office's old files were written."""
    profile = (out_dir / "lo-profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(out_dir),
            str(docx_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    path = out_dir / (docx_path.stem + ".doc")
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # an OLE2 compound file, not .docx renamed
    return path


def write_letter_docx(path: Path, header: list[list[str]], body: list[str]) -> Path:
    import docx
    from docx.shared import Cm

    document = docx.Document()
    table = document.add_table(rows=len(header), cols=len(header[0]))
    table.autofit = False
    for r, row in enumerate(header):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.width = Cm(8)  # Word 97 export flattens a table whose columns have no width
            cell.text = value
    for text in body:
        document.add_paragraph(text)
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def letter_doc(tmp_path_factory) -> Path:
    if SOFFICE is None:
        pytest.skip("LibreOffice not installed (make test installs libreoffice-writer-nogui)")
    folder = tmp_path_factory.mktemp("doc")
    return word_97(write_letter_docx(folder / "cong-van-215.docx", HEADER, BODY), folder)


@needs_soffice
def test_doc_is_read_with_its_diacritics_table_and_metadata(letter_doc):
    corpus = ingest_paths([letter_doc])
    assert not corpus.skipped, corpus.skipped
    [document] = corpus.documents
    texts = [p.text for p in corpus.paragraphs]
    for cell in (value for row in HEADER for value in row):
        assert cell in texts  # each header cell its own paragraph, as from a .docx
    for sentence in BODY[1:]:
        assert sentence in texts  # exactly, every tone mark kept
    assert document.number == "215-CV/HU"
    assert document.date == "2023-09-18"
    assert document.issuer == "Huyện ủy Dương Minh Châu"
    assert {r.number for r in document.references} == {"36-CT/TW"}
    assert not any(p.ocr for p in corpus.paragraphs)


@needs_soffice
def test_legacy_encoding_doc_is_skipped_with_a_reason(tmp_path):
    # A .doc typed with a .VnTime font stores TCVN3 bytes: LibreOffice hands them over as Latin-1 letters.
    path = word_97(write_letter_docx(tmp_path / "cu.docx", [["A", "B"]], TCVN3_TEXT.split("\n")), tmp_path)
    [skipped] = ingest_paths([path]).skipped
    assert "TCVN3" in skipped.reason


@needs_soffice
def test_files_that_are_no_word_document_are_skipped(tmp_path):
    (tmp_path / "random.doc").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "broken.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256))[::-1] * 20)
    (tmp_path / "rtf.doc").write_text(
        r"{\rtf1\ansi\uc1 Ch\u7881? th\u7883? s\u7889? 09-CT/TU v\u7873? c\u244?ng t"
        r"\u225?c d\u226?n v\u7853?n.\par}",
        encoding="ascii",
    )
    corpus = ingest_paths([tmp_path])
    reasons = {Path(s.path).name: s.reason for s in corpus.skipped}
    assert "không phải văn bản Word" in reasons["random.doc"]
    assert "hỏng" in reasons["broken.doc"]
    # an RTF saved under .doc (web systems do this) is read like the Word file it pretends to be
    assert [d.text for d in corpus.documents] == ["Chỉ thị số 09-CT/TU về công tác dân vận."]


def test_missing_libreoffice_skips_the_doc_with_an_install_hint(tmp_path, monkeypatch):
    # Runs with or without LibreOffice installed: the bytes only need to look like a Word file.
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    (tmp_path / "good.txt").write_text("Ủy ban nhân dân huyện tổ chức thực hiện kế hoạch.", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no soffice on PATH, as on a bare machine
    corpus = ingest_paths([tmp_path])
    assert [Path(d.source_path).name for d in corpus.documents] == ["good.txt"]
    [skipped] = corpus.skipped
    assert skipped.path.endswith("old.doc")
    assert "apt-get install libreoffice-writer-nogui" in skipped.reason
    with pytest.raises(Exception, match="LibreOffice"):
        converter_command()

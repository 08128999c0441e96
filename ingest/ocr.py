"""OCR of scanned PDF pages: page images -> text, with Tesseract and its Vietnamese model.

Consumes a PDF path and the text layer pypdf extracted from each page; finds the pages that need OCR
(`pages_to_recognise`: visible content but no text layer, or a page-sized image under a text layer of a
few words, as a scanner's stamp or a digital signature's caption leaves), renders each at 300 dpi
with pypdfium2, removes specks with a median filter and recognises it with the `tesseract` binary
(Debian `tesseract-ocr` + `tesseract-ocr-vie`). Produces one text per recognised page, blocks separated
by blank lines like the other readers; prints one plain progress line per page to stderr
("OCR trang 2/5: tệp.pdf"), whether or not it is a terminal.

OCR runs automatically on such pages (no flag): most signed letters from districts and communes are
scans, and a cadre cannot tell which PDFs have a text layer; pages with one are never re-recognised.

`mark_ocr_paragraphs` then flags the paragraphs whose text came from recognised pages (`Paragraph.ocr`),
so pages and results can warn that the text may carry recognition errors.

Tesseract is run directly (not through pytesseract): the child needs OMP_THREAD_LIMIT=1, which
pytesseract can only take from this process's own environment (where it would also throttle faiss's
OpenMP); with OpenMP's default threads a page took 3.1-3.3 s on the 2 shared cores, with one 0.9 s.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.errors import ReadError
from ingest.models import Paragraph

OCR_LANGUAGE = "vie"
# Tesseract's recommended resolution. At 200 dpi Tesseract more often cut tone marks into a line of their
# own (filtered by `_stray_marks`); with the filter both score >= 0.998 on benchmarks/ocr.py's pages,
# and 300 keeps the margin for small print on real scans.
OCR_DPI = 300
MAX_PAGE_PIXELS = 8000  # longest rendered side: an A0 plan at 300 dpi would be 14,000 px and ~200 MB
PAGE_TIMEOUT_S = 180
# A text layer this short over a page-sized image is a stamp or a signature caption, not the page's text.
STAMP_LAYER_LETTERS = 200
PAGE_IMAGE_SHARE = 0.5
STRAY_LINE_WORD_SHARE = 0.5  # a recognised line with fewer letters and digits than this is marks, not text
ACCENT_LOOKALIKES = "`~^'\"“”‘’°*"  # what Tesseract reads a tone mark cut off from its letter as
INSTALL_HINT = "cài Tesseract và dữ liệu tiếng Việt: apt-get install tesseract-ocr tesseract-ocr-vie"

Progress = Callable[[int, int, str], None]  # (page number from 1, pages to recognise, file name)


@dataclass
class RecognisedPage:
    number: int  # page number from 1
    text: str


def print_progress(done: int, total: int, name: str) -> None:
    print(f"OCR trang {done}/{total}: {name}", file=sys.stderr, flush=True)


def tesseract_command() -> str:
    """The tesseract binary with the Vietnamese model, or a ReadError saying what to install."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise ReadError(
            "PDF là bản quét (không có lớp chữ) nhưng máy chưa có Tesseract để nhận dạng; " + INSTALL_HINT
        )
    if OCR_LANGUAGE not in _languages(binary, os.environ.get("TESSDATA_PREFIX", "")):
        raise ReadError(f"Tesseract chưa có dữ liệu tiếng Việt ({OCR_LANGUAGE}.traineddata); {INSTALL_HINT}")
    return binary


@lru_cache(maxsize=8)
def _languages(binary: str, tessdata: str) -> frozenset[str]:
    try:
        listed = subprocess.run(
            [binary, "--list-langs"],
            capture_output=True,
            text=True,
            timeout=60,
            env=_child_env(),
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in listed.splitlines()[1:] if line.strip())


def _child_env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def pages_to_recognise(path: Path, layer_texts: Sequence[str]) -> list[int]:
    """Indexes (from 0) of the pages whose text must come from OCR."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    wanted = []
    if all(sum(ch.isalpha() for ch in layer) >= STAMP_LAYER_LETTERS for layer in layer_texts):
        return wanted  # every page has a real text layer: no need to open the file a second time
    document = _open(path)
    try:
        for index, layer in enumerate(layer_texts):
            letters = sum(ch.isalpha() for ch in layer)
            if letters >= STAMP_LAYER_LETTERS:
                continue
            page = document[index]
            if letters == 0:
                if pdfium_c.FPDFPage_CountObjects(page) > 0:  # text drawn as images or outlines
                    wanted.append(index)
                continue
            width, height = page.get_size()
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
                left, bottom, right, top = image.get_bounds()
                if (right - left) * (top - bottom) >= PAGE_IMAGE_SHARE * width * height:
                    wanted.append(index)
                    break
    except pdfium.PdfiumError as exc:
        raise ReadError(f"PDF hỏng, không dựng được trang để nhận dạng: {exc}") from exc
    finally:
        document.close()
    return wanted


def recognise_pages(
    path: Path, indexes: Sequence[int], progress: Progress | None = print_progress
) -> list[RecognisedPage]:
    """OCR the given pages (indexes from 0); ReadError when Tesseract or its Vietnamese data is missing."""
    import pypdfium2 as pdfium
    from PIL import ImageFilter

    if not indexes:
        return []
    binary = tesseract_command()
    document = _open(path)
    # pdfium renders in this thread (it is not thread-safe); the Tesseract processes run side by side, one
    # per core, each single-threaded (see the module docstring), at most one page ahead per core.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = max(1, min(cores, len(indexes)))
    running: deque[Future[str]] = deque()
    texts: list[str] = []
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for done, index in enumerate(indexes, 1):
                if progress is not None:
                    progress(done, len(indexes), path.name)
                page = document[index]
                scale = min(OCR_DPI / 72, MAX_PAGE_PIXELS / max(page.get_size()))
                # A 3x3 median removes scanner specks, which Tesseract otherwise reads as "_", "-" or "."
                # (character accuracy on a specked page 0.957 -> 0.999 at 300 dpi); tone-mark dots are larger.
                image = page.render(scale=scale, grayscale=True).to_pil().filter(ImageFilter.MedianFilter(3))
                running.append(pool.submit(_tesseract, binary, image, round(scale * 72), index + 1))
                if len(running) >= workers:
                    texts.append(running.popleft().result())
            texts.extend(future.result() for future in running)
    except pdfium.PdfiumError as exc:
        raise ReadError(f"PDF hỏng, không dựng được trang để nhận dạng: {exc}") from exc
    finally:
        document.close()
    return [RecognisedPage(index + 1, text) for index, text in zip(indexes, texts)]


def _open(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ReadError(f"PDF hỏng, không mở được để nhận dạng (OCR): {exc}") from exc


def _tesseract(binary: str, image, dpi: int, number: int) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PPM")  # uncompressed: no PNG encoding per page; leptonica reads it from stdin
    try:
        done = subprocess.run(
            [binary, "stdin", "stdout", "-l", OCR_LANGUAGE, "--dpi", str(dpi)],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=PAGE_TIMEOUT_S,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ReadError(f"nhận dạng (OCR) trang {number} quá {PAGE_TIMEOUT_S} giây") from exc
    except OSError as exc:
        raise ReadError(f"không chạy được Tesseract: {exc}; {INSTALL_HINT}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
            f"mã lỗi {done.returncode}"
        ]
        raise ReadError(f"Tesseract lỗi ở trang {number}: {message[0]}")
    # Tesseract writes lines of a paragraph one per line and a blank line between paragraphs; \f ends a page.
    text = unicodedata.normalize("NFC", done.stdout.decode("utf-8", "replace").replace("\f", ""))
    return "\n".join(line for line in text.splitlines() if not _stray_marks(line)).strip()


def _stray_marks(line: str) -> bool:
    """A line of tone marks, not words: Tesseract sometimes cuts the marks over a line of text into a line of
    their own ("Lá * ` “° ˆ ˆ Lá ~ * ~- Lá"). Such a line has several accent-like signs and few letters."""
    chars = [ch for ch in line if not ch.isspace()]
    accents = sum(unicodedata.category(ch) in ("Lm", "Sk") or ch in ACCENT_LOOKALIKES for ch in chars)
    words = sum(ch.isalnum() and unicodedata.category(ch) != "Lm" for ch in chars)
    return accents >= 3 and words < STRAY_LINE_WORD_SHARE * len(chars)


def mark_ocr_paragraphs(paragraphs: Sequence[Paragraph], ocr_texts: Sequence[str]) -> None:
    """Set `ocr` on paragraphs whose text (or its start or end, across a page break) is recognised text."""
    if not ocr_texts:
        return
    haystack = " \n ".join(_fold(text) for text in ocr_texts)
    for paragraph in paragraphs:
        text = _fold(paragraph.text)
        edge = min(len(text), 40)
        paragraph.ocr = bool(text) and (
            text in haystack or text[:edge] in haystack or text[-edge:] in haystack
        )


def _fold(text: str) -> str:
    # The cleaner joins a paragraph's lines with spaces and rejoins blocks: compare with whitespace collapsed.
    return " ".join(unicodedata.normalize("NFC", text).split())

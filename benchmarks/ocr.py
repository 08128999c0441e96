"""OCR benchmark: pages per minute and character accuracy of ingest.ocr on scanned Vietnamese pages.

Draws an official letter (tests/scan_fixtures.py: DejaVu Serif from fonts-dejavu-core, every tone mark)
into image-only PDFs at a scanner's 200 dpi, clean and with a scanner's look (skew, blur, paper grain,
specks, JPEG), at 13 pt and 11 pt, and a full typed A4 page (12 pt, ~1,500 characters); recognises every
page with `ingest.ocr.recognise_pages` (pypdfium2 render, despeckle, Debian's tesseract with `vie`),
timed; and prints per kind of page the pages per minute (wall clock, so it depends on what else the
machine runs), the CPU seconds per page (this process and its tesseract children: the work itself,
whatever the load) and the character accuracy (1 - Levenshtein distance / reference length, whitespace
collapsed), then the totals. `--dpi 200,300` repeats the run at other render resolutions
(ingest.ocr.OCR_DPI overridden for the duration of one run), for the choice of OCR_DPI.

    .venv/bin/python benchmarks/ocr.py [--pages-per-kind 3] [--dpi 300]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from rapidfuzz.distance import Levenshtein  # noqa: E402
from scan_fixtures import FULL_PAGE, LETTER, letter_text, render_page, scanned_look, write_image_pdf  # noqa: E402

import ingest.ocr  # noqa: E402

KINDS = {  # name -> (blocks, points, scanned look?)
    "sạch 13pt": (LETTER, 13, False),
    "quét 13pt": (LETTER, 13, True),
    "quét 11pt": (LETTER, 11, True),
    "quét đầy": (FULL_PAGE, 12, True),  # a full typed A4 page
}


def char_accuracy(recognised: str, truth: str) -> float:
    recognised, truth = " ".join(recognised.split()), " ".join(truth.split())
    return 1 - Levenshtein.distance(recognised, truth) / len(truth)


def run(folder: Path, pages_per_kind: int, dpi: int) -> list[tuple[str, int, float, float]]:
    ingest.ocr.OCR_DPI = dpi
    rows = []
    for name, (blocks, points, scanned) in KINDS.items():
        truth = letter_text(blocks)
        page = render_page(blocks, points=points)
        images = [scanned_look(page, seed) if scanned else page for seed in range(pages_per_kind)]
        path = write_image_pdf(folder / f"{points}-{int(scanned)}.pdf", images)
        cpu_before = _cpu_seconds()
        start = time.perf_counter()
        recognised = ingest.ocr.recognise_pages(path, list(range(len(images))), progress=None)
        seconds = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu_before
        accuracy = min(char_accuracy(p.text, truth) for p in recognised)
        mean = sum(char_accuracy(p.text, truth) for p in recognised) / len(recognised)
        rows.append((name, len(images), len(truth), seconds, cpu, mean, accuracy))
    return rows


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the tesseract runs): the work, whatever the load."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages-per-kind", type=int, default=3)
    parser.add_argument("--dpi", default=str(ingest.ocr.OCR_DPI), help="render resolutions, comma-separated")
    args = parser.parse_args()
    ingest.ocr.tesseract_command()  # fails with the install hint when Tesseract or vie is missing
    with tempfile.TemporaryDirectory() as work:
        for dpi in (int(d) for d in args.dpi.split(",")):
            rows = run(Path(work), args.pages_per_kind, dpi)
            cores = len(os.sched_getaffinity(0))
            print(
                f"\nOCR {dpi} dpi, {cores} lõi, tải máy {os.getloadavg()[0]:.1f} "
                "(trang/phút khi máy rảnh ≈ 60 × số lõi / CPU giây mỗi trang)"
            )
            print(
                f"{'loại trang':<12} {'trang':>5} {'ký tự/trang':>11} {'giây':>7} {'trang/phút':>10} "
                f"{'CPU s/trang':>11} {'độ chính xác TB':>16} {'thấp nhất':>9}"
            )
            for name, pages, chars, seconds, cpu, mean, worst in rows:
                print(
                    f"{name:<12} {pages:>5} {chars:>11} {seconds:>7.1f} {60 * pages / seconds:>10.1f} "
                    f"{cpu / pages:>11.2f} {mean:>16.4f} {worst:>9.4f}"
                )
            pages = sum(r[1] for r in rows)
            seconds = sum(r[3] for r in rows)
            cpu = sum(r[4] for r in rows)
            mean = sum(r[1] * r[5] for r in rows) / pages
            print(
                f"{'tổng':<12} {pages:>5} {'':>11} {seconds:>7.1f} {60 * pages / seconds:>10.1f} "
                f"{cpu / pages:>11.2f} {mean:>16.4f} {min(r[6] for r in rows):>9.4f}"
            )


if __name__ == "__main__":
    main()

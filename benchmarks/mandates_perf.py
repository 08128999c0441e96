"""Ingest time with mandate extraction against ingest without it (issue 17: within 10%).

Runs `ingest_paths` on the bundled data/ plus the mandate test documents (index/resources/mandates/),
and on a synthetic corpus of real sentences (perf.py's, from benchmarks/perf_corpus.py), alternating
runs with extraction and with `extract_mandates` replaced by a no-op; prints the median CPU time of
each and the overhead.

    .venv/bin/python benchmarks/mandates_perf.py --runs 7 --synthetic 5000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(paths: list[Path], extract: bool) -> tuple[float, int, int]:
    from ingest.pipeline import ingest_paths

    patch = (
        mock.patch("ingest.mandates.extract_mandates", return_value=[]) if not extract else mock.MagicMock()
    )
    with patch:  # CPU time of this process: the machine is shared, and wall time swings with others' load
        start = time.process_time()
        corpus = ingest_paths(paths)
        seconds = time.process_time() - start
    return seconds, len(corpus.paragraphs), len(corpus.mandates)


def measure(name: str, paths: list[Path], runs: int) -> None:
    timed(paths, True)  # warm caches (underthesea, word lists) once
    with_, without, counts = [], [], None
    for _ in range(runs):
        for extract, into in ((True, with_), (False, without)):
            seconds, paragraphs, mandates = timed(paths, extract)
            into.append(seconds)
            if extract:
                counts = (paragraphs, mandates)
    a, b = statistics.median(with_), statistics.median(without)
    print(
        f"{name}: {counts[0]:,} paragraphs, {counts[1]:,} mandates; ingest median {b:.3f} s CPU without extraction, "
        f"{a:.3f} s with (+{(a - b) / b * 100:.1f}%) over {runs} alternating runs",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--synthetic", type=int, default=5000, help="paragraphs of the synthetic corpus (0: none)"
    )
    args = parser.parse_args()
    from index.mandate_eval import write_test_documents

    with tempfile.TemporaryDirectory(prefix="tracuu-mandates-perf-") as tmp:
        tmp = Path(tmp)
        write_test_documents(tmp)
        measure("data/ + mandate test documents", [ROOT / "data", tmp], args.runs)
        if args.synthetic:
            from benchmarks.perf_corpus import real_sentences, synthetic_corpus

            path = tmp / "synthetic" / "perf.jsonl"
            path.parent.mkdir()
            synthetic_corpus(real_sentences(), args.synthetic, path)
            measure("synthetic corpus of real sentences", [path], max(3, args.runs // 2))


if __name__ == "__main__":
    main()

"""Pathological input files through `tracuu ingest`: wall time, peak memory and what became of each.

Each case runs `tracuu ingest <file> --index-dir <fresh folder>` in a fresh process and prints its
wall time, the process's peak RSS and the command's last line. Targets (issue 16): the 100,000-line
file (~300 KB, no sentence punctuation) in <= 30 s with peak <= 500 MB; oversized inputs refused fast.

    .venv/bin/python benchmarks/pathological.py [--work /tmp/tracuu-patho] [--cases lines,big,bomb,nul]
        [--tracuu /path/to/a/run-only/venv/bin/tracuu]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

SYLLABLES = "cán bộ dân an ninh tổ quốc xã phường thôn ấp hộ".split()


def make_lines(path: Path) -> None:
    """100,000 short lines, ~300 KB, without a single sentence end."""
    rng = random.Random(1)
    path.write_text("\n".join(rng.choice(SYLLABLES) for _ in range(100_000)) + "\n", encoding="utf-8")


def make_big(path: Path) -> None:
    """A 50 MB text file: over the default 20 MB limit."""
    line = "Các cấp ủy, tổ chức đảng tăng cường lãnh đạo công tác bảo đảm an ninh, trật tự ở cơ sở.\n"
    with path.open("w", encoding="utf-8") as out:
        for _ in range(50 * 1024 * 1024 // len(line.encode("utf-8"))):
            out.write(line)


def make_bomb(path: Path) -> None:
    """A .docx of ~300 KB whose document.xml unpacks to ~80 MB."""
    from ingest_fixtures import write_docx

    write_docx(path, ["Văn bản thử."])
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    filler = "<w:p><w:r><w:t>" + "A" * 4000 + "</w:t></w:r></w:p>"
    xml = parts["word/document.xml"].decode()
    parts["word/document.xml"] = xml.replace("<w:body>", "<w:body>" + filler * 20_000).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def make_nul(path: Path) -> None:
    """A JSONL of 1,000 records, one with a NUL byte."""
    lines = [
        json.dumps(
            {"id": f"r{i}", "text": f"Công an xã số {i} tuần tra bảo đảm an ninh trật tự."},
            ensure_ascii=False,
        ).encode()
        for i in range(1000)
    ]
    lines[500] = b'{"id": "bad", "text": "a\x00b"}'
    path.write_bytes(b"\n".join(lines))


CASES = {
    "lines": ("lines.txt", make_lines),
    "big": ("big.txt", make_big),
    "bomb": ("bomb.docx", make_bomb),
    "nul": ("records.jsonl", make_nul),
}


def run_case(name: str, work: Path, tracuu: Path) -> dict:
    filename, make = CASES[name]
    source = work / filename
    if not source.exists():
        make(source)
    index_dir = work / f"index-{name}"
    shutil.rmtree(index_dir, ignore_errors=True)
    log = work / f"{name}.log"
    start = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen(
            [str(tracuu), "ingest", str(source), "--index-dir", str(index_dir)],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS, not the max over all children
    wall = time.perf_counter() - start
    last = (log.read_text(encoding="utf-8").strip().splitlines() or [""])[-1]
    return {
        "case": name,
        "size_mb": round(source.stat().st_size / 2**20, 2),
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "result": last[:160],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/tracuu-patho"))
    parser.add_argument("--cases", default=",".join(CASES))
    # the test venv also holds torch, which underthesea imports when present (~270 MB); a run-only
    # install (`pip install -e .` in a fresh venv) shows what `make run` users get
    parser.add_argument("--tracuu", type=Path, default=REPO / ".venv/bin/tracuu")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{'case':6} {'MB':>6} {'exit':>4} {'wall s':>7} {'peak MB':>8}  result")
    for name in args.cases.split(","):
        row = run_case(name, args.work, args.tracuu)
        print(
            f"{row['case']:6} {row['size_mb']:>6} {row['exit']:>4} {row['wall_s']:>7} {row['peak_mb']:>8}  {row['result']}",
            flush=True,
        )


if __name__ == "__main__":
    main()

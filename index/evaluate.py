"""Retrieval evaluation on a labelled query set (`tracuu eval`).

Consumes a JSONL query set (default: `index/resources/dev_queries.jsonl`) and a loaded `Searcher`;
produces hit@1, hit@5, MRR@10 and answer accuracy per query kind and overall, printed as a table.

Labels are verbatim phrases, not paragraph ids (ids change when ingest changes). One line:

    {"id": "w01", "query": "ai chủ trì kiểm tra thực hiện Kết luận 44", "kind": "who_does_what",
     "relevant": [{"doc_number": "44-KL/TW", "doc_contains": null, "text_contains": "chủ trì, phối hợp ..."}],
     "expect_answer": true}

A result paragraph is relevant to a query when, for one of its `relevant` entries, the paragraph's
text contains `text_contains` (compared after `normalize()`, lower-case, collapsed spaces; a null
phrase means any paragraph of the document) and the paragraph lies in a matching document:
one whose number equals `doc_number` or whose text contains `doc_contains` (either suffices);
with both null any document matches (used for text that stands in several documents, such as
Kết luận 44 attached to Công văn 48). A result counts for the other documents in its `also_in`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index.types import SearchResponse, SearchResult
from ingest.normalize import fold_accents, has_tone_marks, normalize

if TYPE_CHECKING:
    from index.searcher import Searcher
    from ingest.models import Document, Paragraph

DEFAULT_QUERIES = Path(__file__).resolve().parent / "resources" / "dev_queries.jsonl"
RANK_DEPTH = 10  # MRR@10: a relevant paragraph below rank 10 counts as missed
KINDS = ("topic", "who_does_what", "paraphrase", "no_tone", "abbreviation", "doc_number", "out_of_corpus")


# ---------------------------------------------------------------------------------------------- labels
@dataclass(frozen=True)
class RelevantSpec:
    doc_number: str | None
    doc_contains: str | None
    text_contains: str | None


@dataclass(frozen=True)
class LabelledQuery:
    id: str
    query: str
    kind: str
    relevant: tuple[RelevantSpec, ...]
    expect_answer: bool
    of: str | None = None  # no_tone queries: the id of the tone-marked query they fold


def match_key(text: str) -> str:
    """The form labels and paragraphs are compared in: normalized, lower-case, single spaces."""
    return " ".join(normalize(text).lower().split())


def number_key(number: str) -> str:
    """'44-KL/TW', '44/KL-TW', 'số 44-kl/tw' -> '44kltw' (document numbers compared loosely)."""
    return re.sub(r"[^0-9a-z]", "", fold_accents(normalize(number)).removeprefix("so "))


def load_queries(path: Path | None = None) -> list[LabelledQuery]:
    """Read and check a query set; raises ValueError naming the bad line."""
    path = path or DEFAULT_QUERIES
    queries: list[LabelledQuery] = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            relevant = tuple(
                RelevantSpec(r.get("doc_number"), r.get("doc_contains"), r.get("text_contains"))
                for r in raw.get("relevant", [])
            )
            item = LabelledQuery(
                id=str(raw["id"]),
                query=str(raw["query"]),
                kind=str(raw["kind"]),
                relevant=relevant,
                expect_answer=bool(raw.get("expect_answer", bool(relevant))),
                of=raw.get("of"),
            )
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}:{lineno}: không đọc được nhãn ({exc})") from exc
        if item.id in seen:
            raise ValueError(f"{path}:{lineno}: id trùng {item.id!r}")
        seen.add(item.id)
        queries.append(item)
    return queries


class RelevanceJudge:
    """Decides which result paragraphs are relevant, given the documents of the index."""

    def __init__(self, documents: Iterable[Document]):
        self._numbers = {d.doc_id: number_key(d.number) for d in documents if d.number}
        self._texts = {d.doc_id: match_key(d.text) for d in documents}
        self._doc_cache: dict[RelevantSpec, frozenset[str] | None] = {}

    def docs_for(self, spec: RelevantSpec) -> frozenset[str] | None:
        """Documents a label points to; None = any document."""
        if spec not in self._doc_cache:
            if spec.doc_number is None and spec.doc_contains is None:
                self._doc_cache[spec] = None
            else:
                wanted_number = number_key(spec.doc_number) if spec.doc_number else None
                wanted_text = match_key(spec.doc_contains) if spec.doc_contains else None
                self._doc_cache[spec] = frozenset(
                    doc_id
                    for doc_id, text in self._texts.items()
                    if (wanted_number and self._numbers.get(doc_id) == wanted_number)
                    or (wanted_text and wanted_text in text)
                )
        return self._doc_cache[spec]

    def is_relevant(self, query: LabelledQuery, text: str, doc_ids: Sequence[str]) -> bool:
        key = match_key(text)
        for spec in query.relevant:
            docs = self.docs_for(spec)
            if docs is not None and not docs.intersection(doc_ids):
                continue
            if spec.text_contains is None or match_key(spec.text_contains) in key:
                return True
        return False

    def unmatched(self, queries: Iterable[LabelledQuery], paragraphs: Iterable[Paragraph]) -> list[str]:
        """Labels that no paragraph of the index satisfies (typos, or ingest lost the text)."""
        paragraphs = list(paragraphs)
        problems = []
        for query in queries:
            for spec in query.relevant:
                if not any(
                    self.is_relevant(LabelledQuery(query.id, "", "", (spec,), True), p.text, [p.doc_id])
                    for p in paragraphs
                ):
                    problems.append(
                        f"{query.id}: {spec.text_contains or spec.doc_number or spec.doc_contains!r}"
                    )
        return problems


# --------------------------------------------------------------------------------------------- metrics
def first_relevant_rank(flags: Sequence[bool]) -> int | None:
    """1-based rank of the first relevant result, None when there is none."""
    return next((rank for rank, flag in enumerate(flags, 1) if flag), None)


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None, depth: int = RANK_DEPTH) -> float:
    return 1.0 / rank if rank is not None and rank <= depth else 0.0


@dataclass
class QueryOutcome:
    id: str
    kind: str
    query: str
    ranked: bool  # has relevance labels (out-of-corpus queries have none)
    rank: int | None
    expect_answer: bool
    answered: bool
    answer_relevant: bool | None = None  # None when no answer was given or none expected
    top_text: str = ""

    @property
    def answer_ok(self) -> bool:
        return self.answered == self.expect_answer


@dataclass
class GroupMetrics:
    name: str
    queries: int
    ranked: int
    hit1: float | None
    hit5: float | None
    mrr10: float | None
    answer_accuracy: float
    answer_relevant: (
        float | None
    )  # share of given answers (to labelled queries) taken from a relevant paragraph


def aggregate(name: str, outcomes: Sequence[QueryOutcome]) -> GroupMetrics:
    """Mean metrics of one group; ranking metrics over labelled queries only."""
    ranked = [o for o in outcomes if o.ranked]
    judged_answers = [o.answer_relevant for o in ranked if o.answer_relevant is not None]

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    return GroupMetrics(
        name=name,
        queries=len(outcomes),
        ranked=len(ranked),
        hit1=mean([hit_at(o.rank, 1) for o in ranked]),
        hit5=mean([hit_at(o.rank, 5) for o in ranked]),
        mrr10=mean([reciprocal_rank(o.rank) for o in ranked]),
        answer_accuracy=mean([1.0 if o.answer_ok else 0.0 for o in outcomes]) or 0.0,
        answer_relevant=mean([1.0 if ok else 0.0 for ok in judged_answers]),
    )


def aggregate_by_kind(outcomes: Sequence[QueryOutcome]) -> list[GroupMetrics]:
    """One row per kind (in KINDS order, unknown kinds after), then 'tone-marked', 'no tone', 'all'."""
    kinds = list(KINDS) + sorted({o.kind for o in outcomes} - set(KINDS))
    rows = [aggregate(kind, [o for o in outcomes if o.kind == kind]) for kind in kinds]
    rows = [row for row in rows if row.queries]
    labelled = [o for o in outcomes if o.ranked]
    rows.append(aggregate("ALL with tone marks", [o for o in labelled if has_tone_marks(o.query)]))
    rows.append(aggregate("ALL without tone marks", [o for o in labelled if not has_tone_marks(o.query)]))
    rows.append(aggregate("ALL", list(outcomes)))
    return rows


# ------------------------------------------------------------------------------------------ evaluation
SearchFn = Callable[[str], SearchResponse]


@dataclass
class EvalReport:
    outcomes: list[QueryOutcome]
    rows: list[GroupMetrics]
    label_problems: list[str] = field(default_factory=list)

    def row(self, name: str) -> GroupMetrics:
        return next(r for r in self.rows if r.name == name)


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
        lambda text: searcher.search(text, k=RANK_DEPTH, mode=mode), queries, judge, fold_all=fold_all
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

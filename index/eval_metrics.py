"""Metrics of the retrieval evaluation: hit@k, MRR@10 and answer accuracy, per query kind and overall.

Consumes one `QueryOutcome` per query (the rank of its first relevant result, whether it was answered
and from a relevant paragraph); produces `GroupMetrics` rows, one per kind (index/eval_labels.KINDS
order), then with and without tone marks, then all, gathered in an `EvalReport`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from index.eval_labels import KINDS
from ingest.normalize import has_tone_marks

RANK_DEPTH = 10  # MRR@10: a relevant paragraph below rank 10 counts as missed


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


@dataclass
class EvalReport:
    outcomes: list[QueryOutcome]
    rows: list[GroupMetrics]
    label_problems: list[str] = field(default_factory=list)

    def row(self, name: str) -> GroupMetrics:
        return next(r for r in self.rows if r.name == name)

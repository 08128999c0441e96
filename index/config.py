"""The retrieval configuration: one frozen, typed object saved in the index manifest.

Consumes the embedder's name (answer thresholds are cosines of one model, so they are chosen per embedder
from index/resources/answer_thresholds.json) and any overrides a benchmark sweep passes; produces the
`RetrievalConfig` the build writes into manifest.json and every search stage receives explicitly.
Why each value: docs/decisions/0004-fusion.md (fusion), 0008 (over-fetch), 0009 (answer thresholds).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

THRESHOLDS_FILE = Path(__file__).parent / "resources" / "answer_thresholds.json"


class AnswerThresholds(BaseModel):
    """When the best paragraph answers (index.answer.is_relevant) and when a result counts as a match."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_cosine: float = 0.80  # with half the query's words present
    strong_cosine: float = 0.89  # a paraphrase this close needs no shared words
    partly_unknown_cosine: float = 0.85  # the floor when a query word is absent from the corpus
    match_cosine: float = 0.84  # a result this close counts even without the query's words
    min_coverage: float = 0.5  # IDF-weighted share of the query's words an answer must hold
    max_unknown_words: float = 0.34  # more than a third of the words unknown to the corpus: off-topic
    calibrated: bool = True  # False: this embedder was never calibrated, the e5 values stand in


class FusionConfig(BaseModel):
    """How the rankings are fused (index.fusion.fuse); weights in the order (lexical, dense, document
    context[, document-number hint])."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal["rrf", "weighted"] = "weighted"
    weights: tuple[float, ...] = (1.0, 1.0, 0.25, 0.5)
    rrf_k: float = 60.0
    normalization: Literal["minmax", "zscore"] = "zscore"


class RetrievalConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    fusion: FusionConfig = Field(default_factory=FusionConfig)
    overfetch: int = Field(default=200, ge=1)  # candidates per retriever; deeper pages fetch a multiple
    # A query's first words are what analysis, encoding and answers work on: a 1,000-character paste cost 27x
    # a typical question (benchmarks/long_query.py), and its later words add little.
    max_query_words: int = Field(default=40, ge=1)
    answer: AnswerThresholds = Field(default_factory=AnswerThresholds)
    answer_depth: int = Field(default=3, ge=1)  # the answer is chosen among the best few body paragraphs
    min_match_cover: float = 0.5  # a result with half the query's words (IDF-weighted) matches
    # Feature switches (each measured in docs/decisions/): the document-context list, the document-number
    # and section hints, and the issue-date line for "ban hành ngày nào".
    document_context: bool = True
    reference_hints: bool = True
    issue_date_lines: bool = True

    @classmethod
    def for_embedder(cls, embedder_name: str, **overrides) -> RetrievalConfig:
        return cls(answer=thresholds_for(embedder_name), **overrides)

    def with_fusion(self, **changes) -> RetrievalConfig:
        """This config with other fusion settings (benchmark sweeps build configs, never patch globals)."""
        return self.model_copy(update={"fusion": self.fusion.model_copy(update=changes)})


@cache
def _thresholds_table() -> dict:
    return json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))


def thresholds_for(embedder_name: str) -> AnswerThresholds:
    """The calibrated thresholds of the first name prefix that matches, else the uncalibrated stand-in."""
    table = _thresholds_table()
    for prefix, values in table["thresholds"].items():
        if embedder_name.startswith(prefix):
            return AnswerThresholds(**values)
    return AnswerThresholds(**table["uncalibrated"])

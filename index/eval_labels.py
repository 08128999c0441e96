"""Labels of the retrieval evaluation: the query set, and which result paragraphs are relevant.

Consumes a JSONL query set (default: `index/resources/dev_queries.jsonl`) and the documents of an index;
produces `LabelledQuery`s (`load_queries`, which names a bad line) and a `RelevanceJudge`.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.normalize import normalize
from ingest.numbers import loose_number_key

if TYPE_CHECKING:
    from ingest.models import Document, Paragraph

DEFAULT_QUERIES = Path(__file__).resolve().parent / "resources" / "dev_queries.jsonl"
KINDS = ("topic", "who_does_what", "paraphrase", "no_tone", "abbreviation", "doc_number", "out_of_corpus")


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
        self._numbers = {d.doc_id: loose_number_key(d.number) for d in documents if d.number}
        self._texts = {d.doc_id: match_key(d.text) for d in documents}
        self._doc_cache: dict[RelevantSpec, frozenset[str] | None] = {}

    def docs_for(self, spec: RelevantSpec) -> frozenset[str] | None:
        """Documents a label points to; None = any document."""
        if spec not in self._doc_cache:
            if spec.doc_number is None and spec.doc_contains is None:
                self._doc_cache[spec] = None
            else:
                wanted_number = loose_number_key(spec.doc_number) if spec.doc_number else None
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

"""Reference hints: what a query names by document number, section or issue date, as rankings to fuse.

Consumes the corpus store (documents' numbers and types, paragraphs' sections and header lines), a
`QueryAnalysis` and the rankings the retrievers gave; produces the document-number hint ("Kết luận 44"
names that document), the section hint ("mục 2.3"), the lead of a bare reference, and the lines that
state a named document's issue date ("ban hành ngày nào"), each restricted to what the caller's mask
allows (docs/decisions/0006-reference-queries.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from index.analysis import QueryAnalysis
from index.corpus_store import LocalCorpusStore
from index.dense import sentence_spans
from index.fusion import Ranking, candidates
from ingest.dates import long_date, numeric_date
from ingest.normalize import fold_accents
from ingest.numbers import lead_number
from ingest.sections import section_key, within

# The place-and-date line of an official document ("Hà Nội, ngày 22 tháng 01 năm 2019"), folded.
ISSUE_DATE_LINE = re.compile(rf"\b{long_date(folded=True)}\b")


def _dated_citation(number: str) -> re.Pattern:
    """How a text cites a document with its issue date, in accent-folded text: "<number>[,] [ban hành]
    ngày <date>" ("Chỉ thị số 09-CT/TW, ngày 01/12/2011 của Ban Bí thư"); `number` folded."""
    date = f"{numeric_date(spaced=True)}|{long_date(folded=True, day_word='none')}"
    return re.compile(rf"(?<![\w/-]){re.escape(number)}\s*,?\s*(?:ban hanh\s+)?ngay\s+(?:{date})\b")


class ReferenceHints:
    def __init__(self, store: LocalCorpusStore):
        self.store = store
        self.para_doc = store.para_doc
        columns = store.columns
        # Document numbers looked up, not scanned, per query: by the whole folded number ("44-kl/tw") and by
        # its leading part as "Kết luận 44" names it ("44" -> [(doc id, folded type)]).
        self._by_number: dict[str, list[str]] = {}
        self._by_leading: dict[str, list[tuple[str, str]]] = {}
        for d in store.documents():
            if d.number:
                number = fold_accents(d.number)
                self._by_number.setdefault(number, []).append(d.doc_id)
                leading = lead_number(re.split(r"[-/]", number, maxsplit=1)[0])
                self._by_leading.setdefault(leading, []).append((d.doc_id, fold_accents(d.doc_type or "")))
        # Each document's own place-and-date line, a header paragraph (not that of a copy attached to it).
        self._issue_date_line: dict[str, int] = {}
        for i in np.flatnonzero(np.array(columns["kind"], dtype=object) == "header"):
            doc_id = columns["doc_id"][i]
            if doc_id not in self._issue_date_line and not columns["attached_number"][i]:
                if ISSUE_DATE_LINE.search(fold_accents(store.paragraph_at(int(i)).text)):
                    self._issue_date_line[doc_id] = int(i)
        # Folded section path -> its paragraphs, for queries that name a section ("mục 2.3"); a corpus has
        # few distinct paths, so each is folded once.
        by_raw: dict[str, list[int]] = {}
        for i, section in enumerate(columns["section"]):
            if section:
                by_raw.setdefault(section, []).append(i)
        self._by_section: dict[str, list[int]] = {}
        for section, members in by_raw.items():
            self._by_section.setdefault(section_key(section), []).extend(members)

    def hinted_documents(self, query: QueryAnalysis) -> set[str]:
        """Documents a query names by number: "44-KL/TW", or "Kết luận 44" / "chi thi so 09"."""
        hits = {doc_id for number in query.numbers for doc_id in self._by_number.get(number, ())}
        for wanted_type, number in query.typed_numbers:
            hits.update(
                doc_id
                for doc_id, doc_type in self._by_leading.get(lead_number(number), ())
                if not doc_type or doc_type == wanted_type
            )
        return hits

    def in_sections(self, paths: list[str], docs: set[str]) -> np.ndarray:
        """Paragraphs under any of the folded section `paths` (the section itself or below it: "2.3" holds
        "2.3" and "2.3.1"), in `docs` when given; in corpus order."""
        found: set[int] = set()
        for path in paths:
            for section, members in self._by_section.items():
                if within(section, path):
                    found.update(members)
        ids = np.array(sorted(found), dtype=np.int64)
        if docs and ids.size:
            ids = ids[np.isin(self.para_doc[ids], list(docs))]
        return ids

    def section_hint(self, query: QueryAnalysis, hint: Ranking | None) -> Ranking | None:
        """The document hint with the paragraphs of the sections the query names ahead of the rest: "mục
        2.3 Kết luận 44" points at section 2.3 of that document (of any document when it names none)."""
        if not query.sections:
            return hint
        named = self.in_sections(query.sections, self.hinted_documents(query))
        if not named.size:
            return hint
        if hint is None:
            return Ranking(named, np.ones(named.size))
        rest = ~np.isin(hint.ids, named)  # the rest of the named documents, below every named section
        return Ranking(
            np.concatenate([named, hint.ids[rest]]),
            np.concatenate([np.ones(named.size), hint.scores[rest] / 2]),
        )

    def reference_lead(self, query: QueryAnalysis, hint: Ranking | None) -> np.ndarray:
        """What a query that is only a reference points at (QueryAnalysis.reference_only): the paragraphs of
        the sections it names, else those of the hint (the named documents and paragraphs quoting them)."""
        if query.sections:
            named = self.in_sections(query.sections, self.hinted_documents(query))
            if named.size:
                return named
        return hint.ids if hint is not None else np.empty(0, dtype=np.int64)

    def issue_date_lines(
        self, query: QueryAnalysis, quoting: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        """What answers "Kết luận 44 ban hành ngày nào" for each document the query names: its own
        place-and-date line, or, when its text has none (a directive published without its header), the
        paragraphs that cite its number with a date, in corpus order. `quoting(tokens)` gives the
        paragraphs holding any of the folded number tokens (index.lexical.LexicalIndex.containing)."""
        found: dict[int, None] = {}
        for doc_id in sorted(self.hinted_documents(query)) if query.asks_issue_date else []:
            if doc_id in self._issue_date_line:
                found[self._issue_date_line[doc_id]] = None
                continue
            number = self._folded_number(doc_id)
            if number:
                pattern = _dated_citation(number)
                found.update(
                    (int(i), None)
                    for i in quoting([number])
                    if pattern.search(fold_accents(self.store.paragraph_at(int(i)).text))
                )
        return np.fromiter(found, dtype=np.int64, count=len(found))

    def issue_date_span(self, index: int, query: QueryAnalysis) -> tuple[int, int] | None:
        """Where paragraph `index` states the issue date the query asks for (issue_date_lines): all of a
        document's own date line, or the sentence citing a named document's number with its date."""
        text = self.store.paragraph_at(index).text
        if self.is_issue_date_line(index):
            stripped = text.strip()
            start = text.index(stripped) if stripped else 0
            return start, start + len(stripped)
        for doc_id in sorted(self.hinted_documents(query)):
            number = self._folded_number(doc_id) if doc_id not in self._issue_date_line else None
            cited = _dated_citation(number).search(fold_accents(text)) if number else None
            if cited:
                return next(
                    (a, b) for a, b in sentence_spans(text) + [(0, len(text))] if a <= cited.start() < b
                )
        return None

    def _folded_number(self, doc_id: str) -> str:
        """A document's number as the exact field holds it ("09-CT/TW" -> "09-ct/tw"); "" without one."""
        return fold_accents(self.store.document(doc_id).number or "").rstrip(".-/")

    def is_issue_date_line(self, index: int) -> bool:
        return self._issue_date_line.get(self.store.columns["doc_id"][index]) == index

    def number_hint(self, query: QueryAnalysis, rankings: list[Ranking]) -> Ranking | None:
        """A ranking of the candidates that belong to the documents the query names (None if it names none)."""
        docs = self.hinted_documents(query)
        if not docs or not rankings:
            return None
        seen: dict[int, None] = {}
        for ranking in rankings:
            for i in ranking.ids[np.isin(self.para_doc[ranking.ids], list(docs))]:
                seen.setdefault(int(i), None)
        if not seen:
            return None
        ids = np.fromiter(seen, dtype=np.int64)
        return Ranking(ids, np.linspace(1.0, 0.5, len(ids)))

    def quoted_number_hint(
        self, query: QueryAnalysis, hint: Ranking | None, rankings: list[Ranking], quoting: Callable
    ) -> Ranking | None:
        """The document-number hint, extended to candidates that quote a full number the query writes
        ("Kế hoạch 177-KH/TU" inside another document's paragraph): such a number is specific evidence
        wherever it stands. `quoting(tokens)`: the paragraphs holding any of them."""
        if not query.numbers:
            return hint
        ids = candidates(rankings)
        quoted = ids[np.isin(ids, quoting(query.numbers))]
        if not quoted.size:
            return hint
        merged = list(dict.fromkeys([*(hint.ids.tolist() if hint is not None else []), *quoted.tolist()]))
        return Ranking(np.array(merged, dtype=np.int64), np.linspace(1.0, 0.5, len(merged)))

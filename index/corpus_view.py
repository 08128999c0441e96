"""Read access to the indexed corpus: documents, paragraphs, citations, near-duplicates, references.

Consumes the `Corpus` stored in an index build; produces lookups the searcher and the web pages use
(`document`, `paragraphs_of`, `citation`, `also_in`, `referenced_by`) and the per-paragraph arrays that
make filters and document-number hints vectorized instead of loops over the corpus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import numpy as np

from index.analysis import QueryAnalysis
from index.dense import sentence_spans
from index.fusion import Ranking
from index.types import AlsoIn, Citation, paragraph_url
from ingest.models import Corpus, Document, Paragraph, Reference
from ingest.normalize import fold_accents
from ingest.store import ParagraphTable


def _dmy(iso: str | None) -> str | None:
    if not iso:
        return None
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso


UNKNOWN_DATE = "chưa rõ ngày ban hành"


def _about(title: str) -> str:
    """A title as it follows "về" in a citation: "Về việc X" -> "việc X", "Tăng cường X" -> "tăng cường X"."""
    title = " ".join(title.split()).rstrip(".;,")
    words = title.split(" ", 1)
    if words[0].casefold() == "về":
        title = words[1] if len(words) > 1 else ""
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first[1:].islower():  # "Tăng" -> "tăng", but "UBND", "ANTT" stay
        title = title[0].lower() + title[1:]
    return title


def citation_label(doc: Document, section: str) -> str:
    """The office form of a citation, built only here (Citation.label; pages, exports and the CLI show it):
    "Kết luận số 44-KL/TW ngày 22/01/2019 của Ban Bí thư về việc ..., mục 2.3". A document without a
    number (a news item) is named by its type and title, with its source and date in brackets; an unknown
    date is said ("chưa rõ ngày ban hành"), never left out."""
    date = _dmy(doc.date)
    when = f"ngày {date}" if date else f"({UNKNOWN_DATE})"
    if doc.number:
        head = f"{doc.doc_type} số {doc.number}" if doc.doc_type else f"Văn bản số {doc.number}"
        parts = [head, when] + ([f"của {doc.issuer}"] if doc.issuer else [])
        if doc.title and _about(doc.title):
            parts.append(f"về {_about(doc.title)}")
        label = " ".join(parts)
    else:
        source = (
            doc.source_name
            or doc.issuer
            or ("tệp " + doc.source_path.replace("\\", "/").rsplit("/", 1)[-1] if doc.source_path else None)
        )
        known = [f"nguồn: {source}" if source else "chưa rõ nguồn", date or UNKNOWN_DATE]
        title = f"“{doc.title}”" if doc.title else doc.doc_id
        label = f"{doc.doc_type} {title}" if doc.doc_type else title
        label = f"{label} ({', '.join(known)})"
    return f"{label}, mục {section}" if section else label


def _grouped(codes: np.ndarray, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices sorted by code (stable, so ascending within a code) and each code's [bounds[c], bounds[c+1])."""
    order = np.argsort(codes, kind="stable")
    return order, np.searchsorted(codes[order], np.arange(groups + 1))


# The place-and-date line of an official document ("Hà Nội, ngày 22 tháng 01 năm 2019"), folded.
ISSUE_DATE_LINE = re.compile(r"\bngay\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}\b")


def _dated_citation(number: str) -> re.Pattern:
    """How a text cites a document with its issue date, in accent-folded text: "<number>[,] [ban hành]
    ngày <date>" ("Chỉ thị số 09-CT/TW, ngày 01/12/2011 của Ban Bí thư"); `number` folded."""
    date = r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}"
    return re.compile(rf"(?<![\w/-]){re.escape(number)}\s*,?\s*(?:ban hanh\s+)?ngay\s+(?:{date})\b")


def _number_key(number: str) -> str:
    """ "09" and "9" name the same document number."""
    return number.lstrip("0") or "0"


class CorpusView:
    """Built from paragraph columns (ingest.store.ParagraphTable) with numpy, without a Python object per
    paragraph: per-paragraph loops were a large part of the index load (docs/decisions/0015-index-load.md)."""

    def __init__(self, corpus: Corpus):
        self._documents = {d.doc_id: d for d in corpus.documents}
        self._paragraphs = ParagraphTable.of(corpus.paragraphs)
        columns, n = self._paragraphs.columns, len(self._paragraphs)
        self._index_of = dict(zip(columns["paragraph_id"], range(n)))
        doc_list = list(self._documents.values())
        doc_code = {d.doc_id: j for j, d in enumerate(doc_list)}
        codes = np.fromiter(map(doc_code.__getitem__, columns["doc_id"]), dtype=np.int64, count=n)
        self._doc_order, self._doc_bounds = _grouped(codes, len(doc_list))
        self._doc_code = doc_code
        # Near-duplicates: each paragraph's group is its canonical paragraph (or itself).
        group_ids: dict[str, int] = {}
        keys = (c or p for c, p in zip(columns["canonical_id"], columns["paragraph_id"]))
        self.group = np.fromiter(
            (group_ids.setdefault(key, len(group_ids)) for key in keys), dtype=np.int64, count=n
        )
        self._member_order, self._member_bounds = _grouped(self.group, len(group_ids))
        self.para_doc = np.array(columns["doc_id"], dtype=object)
        self.para_type = np.array([d.doc_type or "" for d in doc_list] + [""], dtype=object)[codes]
        self.para_issuer = np.array([d.issuer or "" for d in doc_list] + [""], dtype=object)[codes]
        years = [int(d.date[:4]) if d.date and d.date[:4].isdigit() else 0 for d in doc_list]
        self.para_year = np.array(years + [0], dtype=np.int64)[codes]
        # The same per paragraph as small integer codes into each facet's labels ("" : none), for
        # facet_counts: counting ints does not touch a Python string per candidate.
        self._facets: dict[str, tuple[np.ndarray, list[str]]] = {}
        for name, values in (
            ("type", [d.doc_type or "" for d in doc_list]),
            ("issuer", [d.issuer or "" for d in doc_list]),
            ("year", [str(y) if y else "" for y in years]),
        ):
            labels = list(dict.fromkeys(["", *values]))
            code_of = {label: c for c, label in enumerate(labels)}
            self._facets[name] = (np.array([code_of[v] for v in values] + [0], dtype=np.int64)[codes], labels)
        # Document numbers looked up, not scanned, per query: by the whole folded number ("44-kl/tw") and by
        # its leading part as "Kết luận 44" names it ("44" -> [(doc id, folded type)]).
        self._by_number: dict[str, list[str]] = {}
        self._by_leading: dict[str, list[tuple[str, str]]] = {}
        for d in doc_list:
            if d.number:
                number = fold_accents(d.number)
                self._by_number.setdefault(number, []).append(d.doc_id)
                leading = _number_key(re.split(r"[-/]", number, maxsplit=1)[0])
                self._by_leading.setdefault(leading, []).append((d.doc_id, fold_accents(d.doc_type or "")))
        self._citations: dict[int, Citation] = {}
        # Each document's own place-and-date line, a header paragraph (not that of a copy attached to it).
        self._issue_date_line: dict[str, int] = {}
        for i in np.flatnonzero(np.array(columns["kind"], dtype=object) == "header"):
            doc_id = columns["doc_id"][i]
            if doc_id not in self._issue_date_line and not columns["attached_number"][i]:
                if ISSUE_DATE_LINE.search(fold_accents(self._paragraphs[int(i)].text)):
                    self._issue_date_line[doc_id] = int(i)
        # Folded section path -> its paragraphs, for queries that name a section ("mục 2.3"); a corpus has
        # few distinct paths, so each is folded once.
        by_raw: dict[str, list[int]] = {}
        for i, section in enumerate(columns["section"]):
            if section:
                by_raw.setdefault(section, []).append(i)
        self._by_section: dict[str, list[int]] = {}
        for section, members in by_raw.items():
            self._by_section.setdefault(fold_accents(section), []).extend(members)

    # -- lookups used by pages ------------------------------------------------------------

    def documents(self) -> list[Document]:
        return list(self._documents.values())

    def document(self, doc_id: str) -> Document | None:
        return self._documents.get(doc_id)

    def paragraphs_of(self, doc_id: str) -> list[Paragraph]:
        code = self._doc_code.get(doc_id)
        if code is None:
            return []
        return [
            self._paragraphs[i] for i in self._doc_order[self._doc_bounds[code] : self._doc_bounds[code + 1]]
        ]

    def paragraph(self, paragraph_id: str) -> Paragraph | None:
        i = self._index_of.get(paragraph_id)
        return None if i is None else self._paragraphs[i]

    def paragraph_at(self, index: int) -> Paragraph:
        return self._paragraphs[index]

    def index_of(self, paragraph_id: str) -> int | None:
        return self._index_of.get(paragraph_id)

    def citation(self, paragraph_id: str) -> Citation:
        i = self._index_of.get(paragraph_id)
        if i is None:
            raise KeyError(paragraph_id)
        return self.citation_at(i)

    def citation_at(self, index: int) -> Citation:
        if index not in self._citations:
            p = self._paragraphs[index]
            d = self._documents[p.doc_id]
            self._citations[index] = Citation(
                doc_id=d.doc_id,
                doc_number=d.number,
                doc_type=d.doc_type,
                doc_title=d.title,
                issuer=d.issuer,
                date=d.date,
                section=p.section,
                paragraph_id=p.paragraph_id,
                url=paragraph_url(d.doc_id, p.paragraph_id),
                label=citation_label(d, p.section),
            )
        return self._citations[index]

    def also_in_at(self, index: int) -> list[AlsoIn]:
        g = int(self.group[index])
        lo, hi = self._member_bounds[g], self._member_bounds[g + 1]
        if hi - lo == 1:
            return []  # most paragraphs have no near-duplicate
        doc_ids, paragraph_ids = self._paragraphs.columns["doc_id"], self._paragraphs.columns["paragraph_id"]
        out = []
        for j in self._member_order[lo:hi].tolist():
            doc_id = doc_ids[j]
            if j == index or doc_id == doc_ids[index]:
                continue
            d = self._documents[doc_id]
            out.append(
                AlsoIn(
                    doc_id=doc_id,
                    doc_number=d.number,
                    doc_title=d.title,
                    paragraph_id=paragraph_ids[j],
                    url=paragraph_url(doc_id, paragraph_ids[j]),
                )
            )
        return out

    def also_in(self, paragraph_id: str) -> list[AlsoIn]:
        i = self._index_of.get(paragraph_id)
        return [] if i is None else self.also_in_at(i)

    def group_members(self, index: int) -> list[int]:
        g = int(self.group[index])
        return self._member_order[self._member_bounds[g] : self._member_bounds[g + 1]].tolist()

    def referenced_by(self, doc_id: str) -> list[tuple[Document, Reference]]:
        return [
            (d, r)
            for d in self._documents.values()
            if d.doc_id != doc_id
            for r in d.references
            if r.target_doc_id == doc_id
        ]

    # -- vectorized helpers for search -----------------------------------------------------

    def facet_counts(self, ids: np.ndarray) -> dict[str, dict[str, int]]:
        """Documents' type, issuer and year over the paragraphs `ids`, most frequent first (ties: first seen)."""
        out = {}
        for name, (codes, labels) in self._facets.items():
            counts = Counter(codes[ids].tolist()).most_common()
            out[name] = {labels[code]: n for code, n in counts if code}
        return out

    def filter_mask(self, doc_type: str | None, issuer: str | None, year: int | None) -> np.ndarray | None:
        """Paragraphs whose document passes the filters (None when there is no filter)."""
        if not doc_type and not issuer and not year:
            return None
        mask = np.ones(len(self._paragraphs), dtype=bool)
        if doc_type:
            mask &= self.para_type == doc_type
        if issuer:
            mask &= self.para_issuer == issuer
        if year:
            mask &= self.para_year == int(year)
        return mask

    def hinted_documents(self, query: QueryAnalysis) -> set[str]:
        """Documents a query names by number: "44-KL/TW", or "Kết luận 44" / "chi thi so 09"."""
        hits = {doc_id for number in query.numbers for doc_id in self._by_number.get(number, ())}
        for wanted_type, number in query.typed_numbers:
            hits.update(
                doc_id
                for doc_id, doc_type in self._by_leading.get(_number_key(number), ())
                if not doc_type or doc_type == wanted_type
            )
        return hits

    def in_sections(self, paths: list[str], docs: set[str]) -> np.ndarray:
        """Paragraphs under any of the folded section `paths` (the section itself or below it: "2.3" holds
        "2.3" and "2.3.1"), in `docs` when given; in corpus order."""
        found: set[int] = set()
        for path in paths:
            for section, members in self._by_section.items():
                if section == path or section.startswith(path + "."):
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
                    if pattern.search(fold_accents(self._paragraphs[int(i)].text))
                )
        return np.fromiter(found, dtype=np.int64, count=len(found))

    def issue_date_span(self, index: int, query: QueryAnalysis) -> tuple[int, int] | None:
        """Where paragraph `index` states the issue date the query asks for (issue_date_lines): all of a
        document's own date line, or the sentence citing a named document's number with its date."""
        text = self._paragraphs[index].text
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
        return fold_accents(self._documents[doc_id].number or "").rstrip(".-/")

    def is_issue_date_line(self, index: int) -> bool:
        return self._issue_date_line.get(self._paragraphs.columns["doc_id"][index]) == index

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

"""Mandates of a loaded index: filter them, list the actors, answer task questions.

Consumes the `Corpus.mandates` an index build stored (ingest/mandates.py) and its documents; produces
`MandateItem`s (the JSON shape of /api/mandates and of SearchResponse.mandates), `ActorSummary`s
(/api/actors) and, for a task question ("X có nhiệm vụ gì", "ai chủ trì ...", "ai phải báo cáo ... với
Ban Bí thư", "X báo cáo khi nào", "theo Chỉ thị 09 Mặt trận phải làm gì", with or without tone marks),
the mandates that answer it. Matching runs on accent-folded text, so toneless questions need no
tone restoration; the question words are in index/resources/mandate_questions.txt.
"""

from __future__ import annotations

import re
from collections import Counter

from index.mandate_questions import contains, folded_words, question_kinds, question_pattern, question_words
from index.named_numbers import named_numbers
from index.types import ActorOut, ActorSummary, MandateItem, paragraph_url
from ingest.actors import actor_key, display_name, registry
from ingest.models import ActorRef, Mandate
from ingest.normalize import fold_accents
from ingest.numbers import lead_number

RECURRENCES = ("yearly", "quarterly", "monthly", "periodic")
MAX_QUERY_MANDATES = 10


class MandateBook:
    def __init__(self, mandates: list[Mandate], documents: dict):
        self.mandates = list(mandates)
        self.documents = documents
        self.order = {m.mandate_id: i for i, m in enumerate(self.mandates)}
        self.names: dict[str, Counter] = {}
        self.roles: dict[str, set[str]] = {}
        for m in self.mandates:
            for ref in [
                *m.assignees,
                *m.partners,
                *m.reports_to,
                *([m.assigned_by] if m.assigned_by else []),
            ]:
                self.names.setdefault(ref.key, Counter())[ref.name] += 1
            for ref in [*m.assignees, *m.partners]:
                self.roles.setdefault(ref.key, set()).add(m.mandate_id)
        self._folded = {m.mandate_id: " ".join(folded_words(m.text)) for m in self.mandates}
        self._mandates_with_word: dict[str, list[str]] | None = None
        # every actor key (and registry alias key) of two words or more, by its first word, for questions
        self._keys_by_first: dict[str, list[tuple[list[str], str]]] = {}
        reported = {r.key for m in self.mandates for r in m.reports_to}
        for key in set(self.roles) | reported | set(registry()):
            phrase = key.split("-")
            if len(phrase) >= 2:
                target = registry()[key].key if key in registry() else key
                self._keys_by_first.setdefault(phrase[0], []).append((phrase, target))
        self._doc_numbers = {m.mandate_id: fold_accents(m.basis_number or "") for m in self.mandates}
        self._leading = {
            key: lead_number(digits.group(0)) if (digits := re.match(r"\d+", number)) else ""
            for key, number in self._doc_numbers.items()
        }
        # A conclusion attached in full to a letter repeats its mandates: lists show the document's own copy
        # (a document's page still shows what its attachment assigns).
        own = {
            (m.basis_number, self._folded[m.mandate_id])
            for m in self.mandates
            if documents.get(m.doc_id) is not None and documents[m.doc_id].number == m.basis_number
        }
        self.copies = {
            m.mandate_id
            for m in self.mandates
            if m.basis_number
            and documents.get(m.doc_id) is not None
            and documents[m.doc_id].number != m.basis_number
            and (m.basis_number, self._folded[m.mandate_id]) in own
        }

    # -- items and actors --------------------------------------------------------------------------

    def display(self, key: str) -> str:
        known = registry().get(key)
        if known:
            return display_name(known.name)
        names = self.names.get(key)
        return display_name(names.most_common(1)[0][0]) if names else key

    def item(self, m: Mandate) -> MandateItem:
        doc = self.documents.get(m.doc_id)

        def out(ref: ActorRef) -> ActorOut:
            return ActorOut(name=ref.name, key=ref.key)

        return MandateItem(
            mandate_id=m.mandate_id,
            doc_id=m.doc_id,
            doc_number=m.basis_number or (doc.number if doc else None),
            paragraph_id=m.paragraph_id,
            section=m.section,
            url=paragraph_url(m.doc_id, m.paragraph_id),
            text=m.text,
            action=m.action,
            assignees=[out(a) for a in m.assignees],
            partners=[out(a) for a in m.partners],
            assigned_by=out(m.assigned_by) if m.assigned_by else None,
            reports_to=[out(a) for a in m.reports_to],
            deadline=m.deadline,
            product=m.product,
            flags=list(m.flags),
        )

    def actors(self) -> list[ActorSummary]:
        out = []
        for key, ids in self.roles.items():
            known = registry().get(key)
            written = sorted(self.names.get(key, {}))
            aliases = sorted(set(written) | set(known.aliases if known else ()) - {self.display(key)})
            docs = sorted({self.mandates[self.order[i]].doc_id for i in ids})
            out.append(
                ActorSummary(
                    key=key,
                    name=self.display(key),
                    aliases=aliases,
                    mandate_count=len(ids - self.copies),
                    doc_ids=docs,
                )
            )
        return sorted(out, key=lambda a: (-a.mandate_count, a.name.casefold()))

    def resolve_actor(self, actor: str) -> set[str]:
        """Keys an `actor` filter names: its key, an alias, or the start of keys ("mat-tran")."""
        actor = actor.strip()
        if not actor:
            return set()
        if actor in self.roles:
            return {actor}
        key = actor_key(actor)
        if key in self.roles:
            return {key}
        return {k for k in self.roles if k.startswith(key + "-")} if key else set()

    # -- filters ------------------------------------------------------------------------------------

    def filter(
        self,
        actor: str = "",
        doc_id: str = "",
        q: str = "",
        recurrence: str = "",
        has_deadline: bool | None = None,
        role: str = "",
    ) -> list[Mandate]:
        keys = self.resolve_actor(actor) if actor else None
        words = folded_words(q) if q else []
        out = []
        for m in self.mandates:
            if m.mandate_id in self.copies and not doc_id:
                continue
            if keys is not None:
                lead = {a.key for a in m.assignees} & keys
                partner = {a.key for a in m.partners} & keys
                if not (lead if role == "chu-tri" else partner if role == "phoi-hop" else lead or partner):
                    continue
            if doc_id and m.doc_id != doc_id:
                continue
            if recurrence and (not m.deadline or m.deadline.recurrence != recurrence):
                continue
            if has_deadline is not None and (m.deadline is not None) != has_deadline:
                continue
            if (
                words and f" {' '.join(words)} " not in f" {self._folded[m.mandate_id]} "
            ):  # the words, in order
                continue
            out.append(m)
        return sorted(out, key=self.deadline_order)

    def deadline_order(self, m: Mandate):
        """Dated deadlines first (soonest first), then recurring, then the rest, each in document order."""
        d = m.deadline
        rank = 0 if d and d.date else 1 if d and d.recurrence else 2 if d else 3
        return rank, (d.date or "") if d else "", self.order[m.mandate_id]

    # -- task questions -----------------------------------------------------------------------------

    def for_query(self, query: str) -> list[Mandate]:
        if not question_pattern().search(" ".join(re.findall(r"[a-z0-9]+", fold_accents(query)))):
            return []  # no task question: ~1 us instead of the analysis below
        words = folded_words(query)
        text = " ".join(words)
        questions = question_kinds()
        if not any(f" {p} " in f" {text} " for kind in questions for p in questions[kind]):
            return []
        reports = next((p for p in questions.get("report_to", []) if f" {p} " in f" {text} "), None)
        candidates = [m for m in self.mandates if m.mandate_id not in self.copies]
        # The documents the question names ("Kết luận 44", "KL44"), by leading number: one reading of
        # numbers for lookups, relations and tasks (index.named_numbers).
        numbers = {n.leading for n in named_numbers(query)[0]}
        if numbers:
            candidates = [m for m in candidates if self._leading[m.mandate_id] in numbers]
        actor_keys, report_keys = self._actors_in(words, reports)
        if report_keys:
            candidates = [m for m in candidates if {a.key for a in m.reports_to} & report_keys]
        if actor_keys:
            candidates = [m for m in candidates if {a.key for a in [*m.assignees, *m.partners]} & actor_keys]
        elif not report_keys and not numbers:
            content = [w for w in words if w not in question_words()]
            hits = Counter(
                i for w in content for i in self._with_word().get(w, ())
            )  # once per word of the question
            scored = [(hits[m.mandate_id], m) for m in candidates]
            candidates = [m for s, m in sorted(scored, key=lambda x: -x[0]) if s >= max(2, len(content) // 2)]
        if any(f" {p} " in f" {text} " for p in questions.get("when_report", [])):
            candidates = [m for m in candidates if m.reports_to or "bao cao" in self._folded[m.mandate_id]]
            candidates.sort(key=lambda m: (m.deadline is None, self.order[m.mandate_id]))
        elif actor_keys:
            candidates.sort(
                key=lambda m: (not ({a.key for a in m.assignees} & actor_keys), self.order[m.mandate_id])
            )
        return candidates[:MAX_QUERY_MANDATES]

    def _with_word(self) -> dict[str, list[str]]:
        """The mandates whose folded text has each word (each mandate once per word), built on the first
        topic question: scoring every mandate's text per question took ~75 ms at 100k paragraphs."""
        if self._mandates_with_word is None:
            self._mandates_with_word = {}
            for mandate_id, folded in self._folded.items():
                for word in set(folded.split()):
                    self._mandates_with_word.setdefault(word, []).append(mandate_id)
        return self._mandates_with_word

    def _actors_in(self, words: list[str], reports: str | None) -> tuple[set[str], set[str]]:
        """Actor keys the question names, split into the one reported to ("... với Ban Bí thư") and the rest."""
        found: list[tuple[int, int, set[str]]] = []
        for i, word in enumerate(words):
            for phrase, target in self._keys_by_first.get(word, ()):
                if words[i : i + len(phrase)] == phrase:
                    found.append((i, len(phrase), {target}))
        if not found:  # "Mặt trận" names every "mat-tran-..." body
            for n in (3, 2):
                for i in range(len(words) - n + 1):
                    prefix = "-".join(words[i : i + n])
                    keys = {k for k in self.roles if k.startswith(prefix + "-") or k == prefix}
                    if keys:
                        found.append((i, n, keys))
                if found:
                    break
        found.sort(key=lambda f: -f[1])
        taken: list[tuple[int, int, set[str]]] = []
        for f in found:  # longest first; a shorter match inside a longer one is the same name
            if all(f[0] + f[1] <= t[0] or f[0] >= t[0] + t[1] for t in taken):
                taken.append(f)
        report_at = contains(words, reports.split()) if reports else -1
        actors, reported = set(), set()
        for at, _, keys in taken:
            (reported if report_at >= 0 and at > report_at else actors).update(keys)
        return actors, reported

    def answer(self, response, query: str):
        """`response` with the mandates a task question asks for ([] for other questions)."""
        response.mandates = [self.item(m) for m in self.for_query(query)]
        return response


MAX_BOOKS = 64  # books kept per searcher for readers who may not read every document


def mandate_book(searcher, readable: frozenset[str] | None = None) -> MandateBook:
    """The searcher's MandateBook, built on first use from the corpus it loaded; with `readable` (the
    doc_ids a reader may read, index.access.AccessMasks.readable), the book of those documents only."""
    book = getattr(searcher, "_mandate_book", None)
    if book is None:
        book = MandateBook(searcher.mandates, {d.doc_id: d for d in searcher.store.documents()})
        searcher._mandate_book = book
    if readable is None:
        return book
    books = searcher.__dict__.setdefault("_readable_mandate_books", {})
    if readable not in books:
        if len(books) >= MAX_BOOKS:
            books.clear()
        documents = {doc_id: d for doc_id, d in book.documents.items() if doc_id in readable}
        books[readable] = MandateBook([m for m in book.mandates if m.doc_id in readable], documents)
    return books[readable]

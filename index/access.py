"""Who may read what: a document's access level against the audience of a request.

Consumes a document's `access` (ingest.models.AccessLevel: "public", "internal", or a list of group
names) and an `Audience` (who is asking, from the login session or an API token: search_app.auth);
produces the decision `Audience.may_read`, and for the retrieval core the paragraph mask of an
audience (`AccessMasks`, `paragraph_access_mask`; None when everything is readable) that every ranking
is computed within, so nothing a caller may not read is ranked, counted or shown.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from index.fusion import Ranking

if TYPE_CHECKING:
    from index.types import SearchResponse

PUBLIC, INTERNAL = "public", "internal"


@dataclass(frozen=True)
class Audience:
    """The caller: anonymous (`user` None), a signed-in user with their groups, or the local operator
    (`everything`: the CLI and evaluation, which read the index folder directly anyway)."""

    user: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    everything: bool = False

    @classmethod
    def member(cls, user: str, groups: Iterable[str] = ()) -> Audience:
        return cls(user=user, groups=frozenset(groups))

    def may_read(self, access: str | Iterable[str] | None) -> bool:
        """Public documents are for everyone, internal ones for every signed-in user, a list of groups
        for the members of any of them."""
        if self.everything or access in (None, PUBLIC):
            return True
        if self.user is None:
            return False
        if access == INTERNAL:
            return True
        return not self.groups.isdisjoint(access)

    @property
    def key(self) -> tuple:
        """Hashable identity of what this audience may read (caches keyed by audience)."""
        return (self.everything, self.user is not None, tuple(sorted(self.groups)))


ANONYMOUS = Audience()
OPERATOR = Audience(user="(operator)", everything=True)


def paragraph_access_mask(documents: Iterable, para_doc: np.ndarray, audience: Audience) -> np.ndarray | None:
    """Which paragraphs (`para_doc`: each paragraph's doc_id) `audience` may read; None when it may read
    them all, so a public-only corpus costs nothing."""
    return AccessMasks(documents, para_doc).mask(audience)


class AccessMasks:
    """paragraph_access_mask, per audience, kept: a searcher has one, built with it (index.searcher)."""

    MAX_KEPT = 256  # audiences (distinct group sets) whose masks are kept

    def __init__(self, documents: Iterable, para_doc: np.ndarray):
        self.access = {d.doc_id: d.access for d in documents}
        self.restricted = any(level != PUBLIC for level in self.access.values())
        self.para_doc = para_doc
        self._codes: np.ndarray | None = None  # paragraph -> its document's position in self.access
        self._kept: dict[tuple, np.ndarray | frozenset | None] = {}  # by audience
        self._lock = threading.Lock()

    def readable(self, audience: Audience) -> frozenset[str] | None:
        """The doc_ids `audience` may read (one frozenset per audience, so views keyed by it are found
        again); None for all of them."""
        if not self.restricted or audience.everything:
            return None
        with self._lock:
            key = ("docs", audience.key)
            if key not in self._kept:
                ids = frozenset(d for d, level in self.access.items() if audience.may_read(level))
                self._keep(key, None if len(ids) == len(self.access) else ids)
            return self._kept[key]

    def mask(self, audience: Audience) -> np.ndarray | None:
        if not self.restricted or audience.everything:
            return None
        key = audience.key
        with self._lock:  # searches run on a pool of threads
            if key not in self._kept:
                self._keep(key, self._compute(audience))
            return self._kept[key]

    def _keep(self, key: tuple, value) -> None:
        if len(self._kept) >= self.MAX_KEPT:
            self._kept.clear()
        self._kept[key] = value

    def _compute(self, audience: Audience) -> np.ndarray | None:
        allowed = np.fromiter((audience.may_read(a) for a in self.access.values()), dtype=bool)
        if allowed.all():
            return None
        if self._codes is None:
            position = {doc_id: j for j, doc_id in enumerate(self.access)}
            self._codes = np.fromiter(map(position.__getitem__, self.para_doc), dtype=np.int64)
        mask = allowed[self._codes]
        mask.flags.writeable = False  # shared by every search of this audience
        return mask


def both(first: np.ndarray | None, second: np.ndarray | None) -> np.ndarray | None:
    """The paragraphs both masks allow (None: no restriction); one mask alone is returned as it is."""
    if first is None or second is None:
        return second if first is None else first
    return first & second


def within(ranking: Ranking | None, mask: np.ndarray | None) -> Ranking | None:
    """`ranking` without the paragraphs `mask` excludes (a hint names paragraphs outside the retrieval)."""
    if ranking is None or mask is None:
        return ranking
    keep = mask[ranking.ids]
    return Ranking(ranking.ids[keep], ranking.scores[keep])


def readable_also_in(response: SearchResponse, index_of, mask: np.ndarray | None) -> SearchResponse:
    """The response with each result's `also_in` (near-duplicates in other documents) within `mask`."""
    if mask is not None:
        for result in response.results:
            result.also_in = [a for a in result.also_in if mask[index_of(a.paragraph_id)]]
    return response

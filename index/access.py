"""Who may read what: a document's access level against the audience of a request.

Consumes a document's `access` (ingest.models.AccessLevel: "public", "internal", or a list of group
names) and an `Audience` (who is asking, from the login session or an API token: search_app.auth);
produces the decision `Audience.may_read`. The retrieval core turns it into a paragraph mask before
ranking, so nothing a caller may not read is ranked, counted or shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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

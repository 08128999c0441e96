"""Vietnamese labels of the relation kinds (ingest.models.RelationKind), both directions, and their rank.

Consumed by the document page, the relation answers of a search and the relation graph.
"""

from __future__ import annotations

RELATION_OUT = {
    "implements": "Thực hiện",
    "continues": "Tiếp tục",
    "basis": "Căn cứ",
    "replaces": "Thay thế",
    "amends": "Sửa đổi, bổ sung",
    "repeals": "Bãi bỏ",
    "attaches": "Gửi kèm",
    "reports_on": "Đưa tin về",
    "cites": "Nhắc đến",
}
RELATION_IN = {
    "implements": "Được thực hiện bởi",
    "continues": "Được tiếp tục bởi",
    "basis": "Được làm căn cứ bởi",
    "replaces": "Bị thay thế bởi",
    "amends": "Được sửa đổi, bổ sung bởi",
    "repeals": "Bị bãi bỏ bởi",
    "attaches": "Được gửi kèm trong",
    "reports_on": "Được đưa tin trong",
    "cites": "Được nhắc đến trong",
}
# The strongest relation names a link between two documents (a letter that implements and cites one).
RELATION_RANK = {
    kind: rank
    for rank, kind in enumerate(
        (
            "replaces",
            "amends",
            "repeals",
            "continues",
            "implements",
            "basis",
            "attaches",
            "reports_on",
            "cites",
        )
    )
}

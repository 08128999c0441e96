"""The chain of documents around one document: its relation graph, drawn as SVG, and its timeline.

Consumes the number table of a searcher (index.number_lookup.NumberTable: documents and their typed
references, both directions); produces `RelationGraph` (nodes = documents with number and year, in the
corpus or only cited; edges = relations with the sentence that states them) `depth` steps out in both
directions, its SVG drawn by Graphviz (Debian's `graphviz`, driven by the `graphviz` package; every node
a link, documents cited but absent drawn outlined), and the timeline of a chain: its documents level by
level (Trung ương -> tỉnh -> huyện/xã, index/resources/issuer_levels.txt), each level by date.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from index.abbreviations import read_resource_lines
from index.relation_labels import RELATION_OUT, RELATION_RANK
from index.types import document_url, paragraph_url
from ingest.models import Document, Reference
from ingest.normalize import fold_accents
from ingest.numbers import number_key

MAX_NODES = 60  # a graph larger than this is cut (a much-cited directive): the nearest documents stay
OTHER_LEVEL = "Khác"


class GraphNode(BaseModel):
    id: str  # the doc_id for a corpus document; "ref:<number>" for one only cited
    doc_id: str | None
    number: str | None
    type: str | None
    year: int | None
    in_corpus: bool
    title: str | None = Field(default=None, exclude=True)  # for labels of documents without number (news)
    issuer: str | None = Field(default=None, exclude=True)
    date: str | None = Field(default=None, exclude=True)


class GraphEdge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    relation: str
    sentence: str | None
    paragraph_id: str
    from_doc_id: str = Field(exclude=True)  # the document whose sentence states the relation


class RelationGraph(BaseModel):
    center: str = Field(exclude=True)
    nodes: list[GraphNode]
    edges: list[GraphEdge]

    def as_json(self) -> dict:
        """The API's shape: {"nodes": [{id, doc_id, number, type, year, in_corpus}], "edges": [{from, to, ...}]}."""
        return self.model_dump(by_alias=True)


def _year(document: Document) -> int | None:
    return int(document.date[:4]) if document.date and document.date[:4].isdigit() else None


def _absent_id(reference: Reference) -> str:
    if reference.number and re.search(r"[^\d\s]", reference.number):
        return "ref:" + number_key(reference.number)
    digits = re.search(r"(\d+)\s*$", reference.number or reference.mention)
    return f"ref:{fold_accents(reference.doc_type or '').upper()} {digits.group(1) if digits else reference.mention}"


class _Citations:
    """References by the node they point to (a corpus doc_id or an absent "ref:" id), built once per table."""

    def __init__(self, table):
        self.by_node: dict[str, list[tuple[Document, Reference]]] = {}
        for d in table.documents.values():
            for r in d.references:
                node = r.target_doc_id or _absent_id(r)
                if node != d.doc_id:
                    self.by_node.setdefault(node, []).append((d, r))


def _citations_of(table) -> _Citations:
    """Kept on the table: a searcher's table and each reader's view of it (NumberTable.readable_by)."""
    citations = getattr(table, "_graph_citations", None)
    if citations is None:
        citations = table._graph_citations = _Citations(table)
    return citations


def relation_graph(table, doc_id: str, depth: int = 2) -> RelationGraph | None:
    """The graph `depth` steps out from `doc_id` in both directions; None when it is no corpus document."""
    if doc_id not in table.documents:
        return None
    citations = _citations_of(table)
    nodes: dict[str, GraphNode] = {}
    edges: dict[tuple[str, str, str], GraphEdge] = {}

    def add_node(node_id: str, reference: Reference | None) -> None:
        if node_id in nodes:
            return
        d = table.documents.get(node_id)
        if d is not None:
            nodes[node_id] = GraphNode(
                id=node_id,
                doc_id=node_id,
                number=d.number,
                type=d.doc_type,
                year=_year(d),
                in_corpus=True,
                title=d.title,
                issuer=d.issuer,
                date=d.date,
            )
        else:
            year = int(reference.date[:4]) if reference.date else None
            found = re.search(r"/((?:19|20)\d\d)/", reference.number or "")
            nodes[node_id] = GraphNode(
                id=node_id,
                doc_id=None,
                number=reference.number or reference.mention,
                type=reference.doc_type,
                year=year or (int(found.group(1)) if found else None),
                in_corpus=False,
                issuer=reference.issuer,
                date=reference.date,
            )

    def add_edge(source: Document, reference: Reference, target: str) -> None:
        key = (source.doc_id, target, reference.relation)
        if key not in edges:
            edges[key] = GraphEdge(
                source=source.doc_id,
                target=target,
                relation=reference.relation,
                sentence=reference.sentence,
                paragraph_id=reference.paragraph_id,
                from_doc_id=source.doc_id,
            )

    add_node(doc_id, None)
    queue = deque([(doc_id, 0)])
    seen = {doc_id}
    while queue and len(nodes) < MAX_NODES:
        node_id, distance = queue.popleft()
        if distance >= depth:
            continue
        source = table.documents.get(node_id)
        steps = [(source, r, r.target_doc_id or _absent_id(r)) for r in source.references] if source else []
        steps += [(other, r, node_id) for other, r in citations.by_node.get(node_id, [])]
        for origin, reference, target in steps:
            neighbour = target if origin.doc_id == node_id else origin.doc_id
            if neighbour == origin.doc_id == target:
                continue
            add_node(origin.doc_id, None)
            add_node(target, reference)
            add_edge(origin, reference, target)
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append((neighbour, distance + 1))
    # One edge per pair, the strongest relation (a letter that implements, attaches and names a conclusion)
    strongest: dict[tuple[str, str], GraphEdge] = {}
    for e in sorted(edges.values(), key=lambda e: RELATION_RANK.get(e.relation, len(RELATION_RANK))):
        strongest.setdefault((e.source, e.target), e)
    kept = list(strongest.values())
    return RelationGraph(center=doc_id, nodes=list(nodes.values()), edges=kept)


def node_url(node: GraphNode) -> str:
    """A corpus document's page; for one only cited, a search for its number (where it is cited)."""
    if node.doc_id:
        return document_url(node.doc_id)
    return "/search?" + urlencode({"q": f"{node.type or ''} {node.number or ''}".strip()})


def node_label(node: GraphNode) -> str:
    name = node.number or (node.title or node.doc_id or "")[:40]
    return "\n".join(x for x in (node.type, name, f"({node.year})" if node.year else None) if x)


class GraphvizMissing(RuntimeError):
    """Graphviz's `dot` program (Debian package `graphviz`) or the `graphviz` Python package is missing."""


def graph_svg(graph: RelationGraph) -> str:
    """The graph as an SVG document; raises GraphvizMissing when it cannot be drawn."""
    try:
        import graphviz
    except ImportError as exc:
        raise GraphvizMissing("thiếu gói Python graphviz: pip install graphviz") from exc
    dot = graphviz.Digraph(
        "quan_he",
        graph_attr={"rankdir": "RL", "fontname": "DejaVu Sans", "bgcolor": "transparent"},
        node_attr={"shape": "box", "fontname": "DejaVu Sans", "fontsize": "11"},
        edge_attr={"fontname": "DejaVu Sans", "fontsize": "9"},
    )
    names = {node.id: f"n{k}" for k, node in enumerate(graph.nodes)}
    for node in graph.nodes:
        style = (
            {"style": "filled,bold", "fillcolor": "#fde9b6"}
            if node.id == graph.center
            else (
                {"style": "filled", "fillcolor": "#e8f0fb"}
                if node.in_corpus
                else {"style": "dashed", "color": "#777777"}
            )
        )
        dot.node(
            names[node.id],
            label=node_label(node),
            URL=node_url(node),
            target="_top",
            tooltip=node.title or node_label(node).replace("\n", " "),
            **style,
        )
    for edge in graph.edges:
        dot.edge(
            names[edge.source],
            names[edge.target],
            label=RELATION_OUT.get(edge.relation, edge.relation),
            URL=paragraph_url(edge.from_doc_id, edge.paragraph_id),
            target="_top",
            tooltip=(edge.sentence or edge.relation)[:300],
        )
    try:
        return dot.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizMissing("thiếu chương trình dot của Graphviz: apt-get install graphviz") from exc


def inline_svg(svg: str) -> str:
    """The <svg> element alone (no XML prolog or doctype), to place inside a page."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


@lru_cache(maxsize=1)
def _levels() -> list[tuple[str, re.Pattern, frozenset[str]]]:
    out = []
    for line in read_resource_lines("issuer_levels.txt"):
        level, words, suffixes = (part.strip() for part in line.split(";"))
        out.append(
            (
                level,
                re.compile(rf"\b(?:{words})\b"),
                frozenset(fold_accents(s).upper() for s in suffixes.split(",")),
            )
        )
    return out


LEVEL_ORDER = ("Trung ương", "tỉnh", "huyện/xã", OTHER_LEVEL)


def level_of(node: GraphNode) -> str:
    """Trung ương, tỉnh or huyện/xã, from the issuer's words, else from the number's suffix."""
    issuer = fold_accents(node.issuer or "").lower()
    for level, words, _ in _levels():
        if issuer and words.search(issuer):
            return level
    parts = set(re.split(r"[-/]", fold_accents(node.number or "").upper())[1:])
    for level, _, suffixes in _levels():
        if parts & suffixes:
            return level
    return OTHER_LEVEL


@dataclass(frozen=True)
class TimelineLevel:
    level: str
    nodes: list[GraphNode]


def timeline(table, doc_id: str, depth: int = 6) -> list[TimelineLevel] | None:
    """The documents linked to `doc_id` (the chain, `depth` steps out), level by level, each by date."""
    graph = relation_graph(table, doc_id, depth)
    if graph is None:
        return None
    levels: dict[str, list[GraphNode]] = {}
    for node in graph.nodes:
        levels.setdefault(level_of(node), []).append(node)
    return [
        TimelineLevel(
            level, sorted(levels[level], key=lambda n: (n.date or f"{n.year or 9999}", n.number or ""))
        )
        for level in LEVEL_ORDER
        if level in levels
    ]

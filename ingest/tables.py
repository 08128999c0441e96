"""Tables that assign tasks: header cells kept with each row, so one row becomes one mandate.

Consumes table rows (lists of cell texts, the first row the header) from the readers (.docx, .html,
.pdf via pdfplumber) and resources/table_columns.tsv; produces, for an assignment table (a header cell
names a "chủ trì" or "thực hiện" column), one text block per row, "Nội dung: ... | Cơ quan chủ trì:
... | ...", that survives cleaning as one paragraph; `parse_row()` reads such a paragraph back into
fields. Other tables are returned as None and the reader keeps its own flattening.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ingest.normalize import fold_accents, normalize

CELL_SEPARATOR = " | "
_LABELLED = re.compile(r"^(?P<label>[^|:]{1,60}):\s?(?P<value>.*)$", re.S)


@lru_cache(maxsize=1)
def _columns() -> list[tuple[str, list[str]]]:
    raw = resources.files("ingest.resources").joinpath("table_columns.tsv").read_text(encoding="utf-8")
    out = []
    for line in raw.splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            field, phrases = line.split("\t", 1)
            out.append((field.strip(), [p.strip() for p in phrases.split("|") if p.strip()]))
    return out


def column_field(header: str) -> str | None:
    """The mandate field a header cell names ("Cơ quan chủ trì" -> "assignees"), or None."""
    folded = " ".join(re.findall(r"[a-z0-9]+", fold_accents(normalize(header))))
    for field, phrases in _columns():
        for phrase in phrases:
            if field == "number" and folded == phrase:
                return field
            if field != "number" and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded):
                return field
    return None


def _clean(cell: str) -> str:
    return " ".join((cell or "").replace("|", "/").split())


def assignment_rows(rows: list[list[str]]) -> list[str] | None:
    """One labelled block per body row of an assignment table; None when the table is not one."""
    if len(rows) < 2:
        return None
    header = [_clean(c) for c in rows[0]]
    fields = [column_field(h) for h in header]
    if "assignees" not in fields or "action" not in fields:
        return None
    blocks = []
    for row in rows[1:]:
        cells = [_clean(c) for c in row]
        if not any(cells) or cells == header:
            continue
        parts = [f"{h}: {c}" for h, c in zip(header, cells) if h]
        if sum(1 for c in cells if c) >= 2:
            blocks.append(CELL_SEPARATOR.join(parts))
        elif any(cells):  # a group row ("I. Nhiệm vụ chung") spanning the table
            blocks.append(next(c for c in cells if c))
    return blocks


def parse_row(text: str) -> dict[str, str] | None:
    """A paragraph written by `assignment_rows` -> {field: cell text}; None for any other paragraph."""
    if CELL_SEPARATOR not in text:
        return None
    out: dict[str, str] = {}
    for part in text.split(CELL_SEPARATOR):
        m = _LABELLED.match(part.strip())
        if not m:
            return None
        field = column_field(m.group("label"))
        if field and field not in out:
            out[field] = m.group("value").strip()
    return out if "assignees" in out and "action" in out else None


def docx_rows(table) -> list[list[str]]:
    """A python-docx table's rows as cell texts, a merged cell once per row."""
    rows = []
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text)
        rows.append(cells)
    return rows


def html_rows(table) -> list[list[str]]:
    """An lxml <table> element's rows as cell texts (th and td)."""
    return [
        [" ".join(cell.text_content().split()) for cell in tr.xpath("./th|./td")]
        for tr in table.xpath(".//tr")
    ]


def keep_html_assignment_tables(tree) -> None:
    """Replace each assignment <table> of an lxml tree by one <p> per row, before text extraction
    (trafilatura would otherwise join its cells)."""
    from lxml import etree

    for table in list(tree.iter("table")):
        if table.getparent() is None:
            continue
        blocks = assignment_rows(html_rows(table))
        if blocks is None:
            continue
        holder = etree.Element("div")
        for block in blocks:
            paragraph = etree.SubElement(holder, "p")
            paragraph.text = block
        holder.tail = table.tail
        table.getparent().replace(table, holder)


_CHU_TRI = re.compile(r"chu\s*tri|thuc\s*hien")


def pdf_pages_with_assignment_tables(path, pages: list[str]) -> list[str]:
    """`pages` (pypdf's text) with each page that holds an assignment table re-read by pdfplumber's table
    finder: the text outside the table, then one block per row. Only pages whose text names a "chủ trì"
    column are opened again, so other PDFs cost nothing more."""
    candidates = [i for i, text in enumerate(pages) if _CHU_TRI.search(fold_accents(text))]
    if not candidates:
        return pages
    try:
        import pdfplumber
    except ImportError as exc:
        raise ImportError("cần pdfplumber để đọc bảng phân công trong PDF: pip install pdfplumber") from exc
    out = list(pages)
    try:
        with pdfplumber.open(str(path)) as pdf:
            for i in candidates:
                page = pdf.pages[i]
                blocks, boxes = [], []
                for table in page.find_tables():
                    rows = assignment_rows([[cell or "" for cell in row] for row in table.extract()])
                    if rows:
                        blocks += rows
                        boxes.append(table.bbox)
                if not boxes:
                    continue
                rest = page
                for box in boxes:
                    rest = rest.outside_bbox(box)
                out[i] = "\n\n".join([(rest.extract_text() or "").strip("\n"), *blocks])
    except Exception:  # pdfplumber failing on an odd file keeps pypdf's text (its tables flattened)
        return pages
    return out

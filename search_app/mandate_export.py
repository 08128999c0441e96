"""Export a mandate list as the table offices use: TT | Nhiệm vụ | Chủ trì | Phối hợp | Thời hạn | Sản phẩm | Căn cứ.

Consumes `MandateItem`s (index/mandate_search.py) and document metadata; produces .docx (A4 landscape,
Times New Roman, python-docx), .xlsx (openpyxl) and .csv (UTF-8 with BOM, so Excel reads Vietnamese).
"""

from __future__ import annotations

import csv
import io

HEADER = ["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời hạn", "Sản phẩm", "Căn cứ"]
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
FORMATS = tuple(MEDIA_TYPES)


def rows(items, documents: dict) -> list[list[str]]:
    out = []
    for n, m in enumerate(items, 1):
        doc = documents.get(m.doc_id)
        if doc and doc.number and m.doc_number and doc.number != m.doc_number:  # a copy attached to a letter
            basis = f"{m.doc_number} (kèm {doc.doc_type or ''} {doc.number})".replace("  ", " ")
        else:
            basis = " ".join(x for x in [(doc.doc_type if doc else "") or "", m.doc_number or ""] if x)
        if m.section:
            basis += f", mục {m.section}"
        deadline = m.deadline.text if m.deadline else "Không nêu thời hạn"
        out.append(
            [
                str(n),
                m.action or m.text,
                "; ".join(a.name for a in m.assignees),
                "; ".join(a.name for a in m.partners),
                deadline,
                m.product or "",
                basis.strip(", "),
            ]
        )
    return out


def render(items, documents: dict, fmt: str, title: str) -> bytes:
    table = rows(items, documents)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        writer.writerows(table)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        book = Workbook()
        sheet = book.active
        sheet.title = "Nhiệm vụ"
        sheet.append([title])
        sheet.append(HEADER)
        for row in table:
            sheet.append(row)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for column, width in zip("ABCDEFG", (5, 60, 25, 25, 18, 20, 22)):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    if fmt == "docx":
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm, Pt

        document = docx.Document()
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, margin, Mm(15))
        style = document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(12)
        style.element.rPr.rFonts.set(docx.oxml.ns.qn("w:eastAsia"), "Times New Roman")
        heading = document.add_paragraph()
        run = heading.add_run(title)
        run.bold, run.font.size = True, Pt(14)
        grid = document.add_table(rows=1, cols=len(HEADER))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, HEADER):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in table:
            for cell, text in zip(grid.add_row().cells, row):
                cell.text = text
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
    raise ValueError(f"định dạng không hỗ trợ: {fmt}")

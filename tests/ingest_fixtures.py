"""Small files for the ingest tests, made on the fly (no binary fixtures in the repository)."""

from __future__ import annotations

from pathlib import Path

# "Cộng hòa xã hội chủ nghĩa Việt Nam / Độc lập - Tự do - Hạnh phúc / Chỉ thị của Ban Thường vụ" as
# the legacy encodings store them (the bytes of a .txt saved by an old Vietnamese editor).
TCVN3_TEXT = (
    "Céng hßa x· héi chñ nghÜa ViÖt Nam\n§éc lËp - Tù do - H¹nh phóc\n\n"
    "ChØ thÞ cña Ban Th­êng vô vÒ t¨ng c­êng sù l·nh ®¹o cña §¶ng ®èi víi phong trµo.\n"
)
VNI_TEXT = (
    "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nÑoäc laäp - Töï do - Haïnh phuùc\n\n"
    "Chæ thò cuûa Ban Thöôøng vuï veà taêng cöôøng söï laõnh ñaïo cuûa Ñaûng.\n"
)
# An official letter in plain Unicode (header, number, date line, a reference, a signature).
LETTER = (
    "ỦY BAN NHÂN DÂN\nHUYỆN AN PHÚ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
    "Số: 12/UBND\n\nAn Phú, ngày 05 tháng 4 năm 2021\n\n"
    "V/v triển khai thực hiện Kết luận số 44-KL/TW\n\n"
    "Thực hiện Kết luận số 44-KL/TW, ngày 22/01/2019 của Ban Bí thư, Ủy ban nhân dân huyện đề nghị các xã "
    "tổ chức quán triệt đến cán bộ, đảng viên và nhân dân.\n\n"
    "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nNguyễn Văn An\n"
)


def write_pdf(path: Path, lines: list[str], *more_pages: list[str]) -> Path:
    """A minimal PDF with a Helvetica text layer (ASCII text only), one page per list of lines."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    def content(page_lines: list[str]) -> bytes:
        if not page_lines:
            return b""
        ops = (
            ["BT", "/F1 12 Tf", "14 TL", "72 760 Td"]
            + [f"({escape(line)}) Tj T*" for line in page_lines]
            + ["ET"]
        )
        return "\n".join(ops).encode("latin-1")

    pages = [lines, *more_pages]
    font = 3 + 2 * len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
    ]
    for i, page_lines in enumerate(pages):
        stream = content(page_lines)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def ingest_text(tmp_path: Path, name: str, text: str):
    """The corpus of one UTF-8 file `name` holding `text`; the file must not be skipped."""
    from ingest.pipeline import ingest_paths

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    corpus = ingest_paths([path])
    assert not corpus.skipped, corpus.skipped
    return corpus

"""Scanned pages for the OCR tests and benchmarks/ocr.py, made on the fly: Vietnamese text drawn with
Pillow in a Debian font (fonts-dejavu-core) and saved as an image-only PDF (no text layer), like a scan.

`scanned_look` adds what a scanner adds (a slight skew, grey noise, JPEG compression) so the benchmark
does not measure OCR on perfect pixels only.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SCAN_DPI = 200  # a typical office scanner setting; ingest.ocr renders at its own OCR_DPI

# (bold?, text) blocks of an official letter, with every tone mark the tests check.
LETTER = [
    (True, "ỦY BAN NHÂN DÂN HUYỆN DƯƠNG MINH CHÂU"),
    (False, "Số: 12/UBND-VP"),
    (False, "Dương Minh Châu, ngày 05 tháng 3 năm 2024"),
    (True, "KẾ HOẠCH"),
    (True, "Thực hiện Kết luận số 44-KL/TW về tăng cường công tác phòng, chống tội phạm"),
    (
        False,
        "Căn cứ Kết luận số 44-KL/TW ngày 22 tháng 01 năm 2019 của Ban Bí thư, Ủy ban nhân dân huyện "
        "xây dựng kế hoạch thực hiện như sau.",
    ),
    (
        False,
        "Các cơ quan, đơn vị và Ủy ban nhân dân các xã, thị trấn tổ chức quán triệt sâu rộng nội dung "
        "Kết luận đến toàn thể cán bộ, công chức, viên chức và nhân dân trên địa bàn.",
    ),
    (
        False,
        "Tăng cường phối hợp giữa lực lượng công an với các ngành, đoàn thể trong việc phát hiện, tố giác "
        "tội phạm; xử lý nghiêm các hành vi vi phạm pháp luật, nhất là tội phạm ma túy.",
    ),
    (
        False,
        "Định kỳ sáu tháng, các đơn vị báo cáo kết quả về Văn phòng Hội đồng nhân dân và Ủy ban nhân dân "
        "huyện để tổng hợp, báo cáo Thường trực Huyện ủy.",
    ),
]

# A page as full as a typed A4 letter at 12 pt (about 1,500 characters), for the benchmark's pages/minute.
FULL_PAGE = LETTER + [
    (
        False,
        "Ban Chỉ huy Quân sự huyện chủ trì, phối hợp với Công an huyện xây dựng phương án bảo đảm an ninh, "
        "trật tự trong các ngày lễ, tết; tổ chức tuần tra, kiểm soát ở những địa bàn phức tạp.",
    ),
    (
        False,
        "Phòng Văn hóa và Thông tin huyện đẩy mạnh tuyên truyền trên hệ thống loa truyền thanh cơ sở, "
        "biểu dương những tập thể, cá nhân điển hình trong phong trào toàn dân bảo vệ an ninh Tổ quốc.",
    ),
    (
        False,
        "Ủy ban Mặt trận Tổ quốc Việt Nam huyện và các đoàn thể chính trị - xã hội giám sát việc thực hiện, "
        "kịp thời phản ánh những khó khăn, vướng mắc của nhân dân để cấp ủy, chính quyền giải quyết.",
    ),
    (
        False,
        "Trong quá trình thực hiện, nếu có vướng mắc, các đơn vị báo cáo về Ủy ban nhân dân huyện "
        "(qua Văn phòng) để được hướng dẫn, xem xét, giải quyết theo thẩm quyền.",
    ),
]


def font_path(bold: bool = False) -> Path:
    return FONT_DIR / ("DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf")


def render_page(blocks: list[tuple[bool, str]], dpi: int = SCAN_DPI, points: float = 13) -> Image.Image:
    """An A4 page (grey levels) with the blocks wrapped to the margins, a blank line between blocks."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    size = round(points / 72 * dpi)
    fonts = {bold: ImageFont.truetype(str(font_path(bold)), size) for bold in (False, True)}
    margin = int(0.9 * dpi)
    y = margin
    for bold, text in blocks:
        font, line = fonts[bold], ""
        for word in text.split():
            candidate = f"{line} {word}".strip()
            if line and draw.textlength(candidate, font=font) > width - 2 * margin:
                draw.text((margin, y), line, font=font, fill=0)
                y, line = y + int(size * 1.5), word
            else:
                line = candidate
        draw.text((margin, y), line, font=font, fill=0)
        y += int(size * 2.5)
    if y - int(size * 1.0) > height - margin // 2:
        raise ValueError("the blocks do not fit on one page")
    return page


def scanned_look(page: Image.Image, seed: int = 0) -> Image.Image:
    """Skew by a fraction of a degree, blur a little, add paper grain and specks, and JPEG like a scanner."""
    rng = random.Random(seed)
    page = page.rotate(rng.uniform(-0.6, 0.6), resample=Image.BICUBIC, expand=False, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    # grey paper grain, from the seed (PIL's effect_noise draws from C's rand(): a new page every run)
    grain = np.random.default_rng(seed).normal(128, 40, (page.size[1], page.size[0]))
    page = Image.blend(page, Image.fromarray(grain.clip(0, 255).astype(np.uint8)), 0.15)
    pixels = page.load()
    for _ in range(page.size[0] * page.size[1] // 400):  # specks
        pixels[rng.randrange(page.size[0]), rng.randrange(page.size[1])] = rng.randrange(0, 160)
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue()))


def write_image_pdf(path: Path, pages: list[Image.Image], dpi: int = SCAN_DPI) -> Path:
    """Pages as an image-only PDF (Pillow's PDF writer: one image per page, no text layer)."""
    pages[0].save(path, format="PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return path


def letter_text(blocks: list[tuple[bool, str]] = LETTER) -> str:
    return "\n\n".join(text for _, text in blocks)

"""Issuer boundary on citation strings of our own making, State and Party forms (issue 18).

Generates citation strings as a provincial tracking sheet writes them ("Quyết định số 11/2021/QĐ-UBND ngày
15/3/2021 của Ủy ban nhân dân tỉnh An Giang sửa đổi, bổ sung ...", "Kết luận số 44-KL/TW, ngày 22/01/2019
của Ban Bí thư (khóa XII) về ..."), parses each with ingest.references.find_references and prints the share
whose issuer runs on into the title (the parsed issuer is the true one plus more words), the share cut short,
and the share of numbers and dates parsed. Target: run-on <= 2%.

    python benchmarks/issuer_boundary.py [--count 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass

PLACES = ["An Giang", "Tây Ninh", "Hà Tĩnh", "Đồng Tháp", "Kiên Giang", "Cần Thơ", "Bình Dương", "Quảng Ngãi"]
DISTRICTS = ["Châu Thành", "Phú Tân", "Tân Châu", "Dương Minh Châu", "Can Lộc", "Thoại Sơn", "Tri Tôn"]
STATE_ISSUERS = [
    "Ủy ban nhân dân tỉnh {p}",
    "Hội đồng nhân dân tỉnh {p}",
    "UBND tỉnh {p}",
    "Ủy ban nhân dân tỉnh",
    "Chủ tịch Ủy ban nhân dân huyện {d}",
    "Ủy ban nhân dân huyện {d}",
    "Sở Tài chính tỉnh {p}",
    "Sở Giáo dục và Đào tạo",
    "Công an tỉnh {p}",
    "Chính phủ",
    "Thủ tướng Chính phủ",
    "Bộ Công an",
    "Bộ Lao động - Thương binh và Xã hội",
    "Sở Nội vụ",
    "Ủy ban nhân dân thành phố Long Xuyên",
    # bodies no list of ours names: the boundary must come from the wording
    "Cục Thuế tỉnh {p}",
    "Kho bạc Nhà nước tỉnh {p}",
    "Trường Chính trị tỉnh {p}",
    "Hội Nông dân tỉnh {p}",
    "Bộ Chỉ huy Quân sự tỉnh {p}",
    "Thanh tra tỉnh {p}",
    "Sở Kế hoạch và Đầu tư tỉnh {p}",
    "Ban Quản lý Khu kinh tế tỉnh {p}",
    "Bảo hiểm xã hội tỉnh {p}",
]
PARTY_ISSUERS = [
    "Ban Bí thư",
    "Bộ Chính trị",
    "Ban Chấp hành Trung ương Đảng",
    "Ban Thường vụ Tỉnh ủy {p}",
    "Ban Thường vụ Huyện ủy {d}",
    "Tỉnh ủy {p}",
    "Ban Tuyên giáo Tỉnh ủy",
    "Ban Dân vận Huyện ủy {d}",
    "Đảng ủy Công an Trung ương",
    "Ủy ban Kiểm tra Tỉnh ủy",
    "Ban Thường vụ Tỉnh ủy",
    "Thường trực Tỉnh ủy",
    "Đảng ủy Khối Cơ quan tỉnh",
    "Ban Nội chính Tỉnh ủy {p}",
    "Huyện ủy {d}",
    "Đảng ủy xã Vĩnh Trạch",
]
TITLES = [
    "quy định mức hỗ trợ kinh phí cho lực lượng bảo vệ an ninh cơ sở",
    "sửa đổi, bổ sung một số điều của Quy chế",
    "ban hành Quy chế làm việc của Ban Chỉ đạo",
    "phê duyệt Đề án xây dựng xã An toàn về an ninh, trật tự",
    "hướng dẫn thực hiện chế độ hỗ trợ",
    "tăng cường sự lãnh đạo của Đảng đối với phong trào",
    "triển khai thực hiện Kết luận số 44-KL/TW",
    "thành lập Ban Chỉ đạo phong trào toàn dân bảo vệ ANTQ",
    "kiện toàn Ban Chỉ đạo 138 tỉnh",
    "giao chỉ tiêu biên chế năm 2022",
    "điều chỉnh mức chi hỗ trợ",
    "bãi bỏ Quyết định số 12/2015/QĐ-UBND",
    "tiếp tục đẩy mạnh thực hiện Chỉ thị số 09-CT/TW",
    "nâng cao hiệu quả công tác dân vận",
    "tổ chức thực hiện Nghị quyết Đại hội Đảng bộ tỉnh",
]
STATE_TYPES = [
    ("Quyết định", "QĐ-UBND"),
    ("Nghị quyết", "NQ-HĐND"),
    ("Kế hoạch", "KH-UBND"),
    ("Công văn", "UBND-VX"),
    ("Tờ trình", "TTr-CAT-QLHC"),
    ("Hướng dẫn", "HD-SNV"),
]
PARTY_TYPES = [
    ("Kết luận", "KL/TW"),
    ("Chỉ thị", "CT/TU"),
    ("Kế hoạch", "KH/TU"),
    ("Công văn", "CV/TU"),
    ("Nghị quyết", "NQ/TU"),
    ("Hướng dẫn", "HD/BTGTU"),
]


@dataclass(frozen=True)
class Citation:
    text: str
    number: str
    date: str  # ISO
    issuer: str
    form: str  # "state" | "party"


def citations(count: int, seed: int = 7) -> list[Citation]:
    rng = random.Random(seed)
    out = []
    for k in range(count):
        party = k % 2 == 1
        doc_type, code = rng.choice(PARTY_TYPES if party else STATE_TYPES)
        issuer = rng.choice(PARTY_ISSUERS if party else STATE_ISSUERS).format(
            p=rng.choice(PLACES), d=rng.choice(DISTRICTS)
        )
        year, month, day = rng.randint(2010, 2024), rng.randint(1, 12), rng.randint(1, 28)
        n = rng.randint(1, 3000)
        if party:
            number = f"{n}-{code}"
        elif doc_type in ("Quyết định", "Nghị quyết") and rng.random() < 0.6:
            number = f"{n}/{year}/{code}"
        else:
            number = f"{n}/{code}"
        date = rng.choice(
            [f"{day:02d}/{month:02d}/{year}", f"{day}/{month}/{year}", f"{day} tháng {month} năm {year}"]
        )
        comma = "," if rng.random() < 0.4 else ""
        khoa = " (khóa XII)" if party and rng.random() < 0.2 else ""
        title = rng.choice(TITLES)
        joiner = rng.choice([" ", " về ", " về việc "]) if not title.startswith(("về",)) else " "
        text = f"{doc_type} số {number}{comma} ngày {date} của {issuer}{khoa}{joiner}{title}"
        out.append(
            Citation(text, number, f"{year:04d}-{month:02d}-{day:02d}", issuer, "party" if party else "state")
        )
    return out


@dataclass(frozen=True)
class BoundaryScore:
    count: int
    run_on: float
    cut_short: float
    exact: float
    numbers_and_dates: float


def measure(items: list[Citation]) -> BoundaryScore:
    from ingest.models import Paragraph
    from ingest.references import find_references

    run_on = short = exact = parsed = 0
    for c in items:
        refs = find_references(
            [Paragraph(paragraph_id="p", doc_id="d", order=0, text=c.text, start=0, end=len(c.text))]
        )
        ref = refs[0] if refs else None
        got = (ref.issuer or "") if ref else ""
        if ref and ref.number == c.number and ref.date == c.date:
            parsed += 1
        if got == c.issuer:
            exact += 1
        elif got.startswith(c.issuer):
            run_on += 1
        else:
            short += 1
    n = len(items)
    return BoundaryScore(n, run_on / n, short / n, exact / n, parsed / n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    items = citations(args.count, args.seed)
    for form in ("state", "party", None):
        chosen = [c for c in items if form is None or c.form == form]
        s = measure(chosen)
        print(
            f"{form or 'all':>5}: {s.count} citations, issuer exact {s.exact:.3f}, run-on {s.run_on:.3f}, "
            f"cut short {s.cut_short:.3f}, number and date parsed {s.numbers_and_dates:.3f}"
        )


if __name__ == "__main__":
    main()

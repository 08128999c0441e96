"""Reference parsing stops where the issuer stops (issue 18): State and Party citation forms."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from ingest.models import Paragraph
from ingest.references import find_references

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "issuer_boundary.py"


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("issuer_boundary", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _one(text: str):
    refs = find_references(
        [Paragraph(paragraph_id="p", doc_id="d", order=0, text=text, start=0, end=len(text))]
    )
    assert refs, text
    return refs[0]


@pytest.mark.parametrize(
    "text, number, issuer, title",
    [
        (
            "Quyết định số 11/2021/QĐ-UBND ngày 15/3/2021 của Ủy ban nhân dân tỉnh An Giang sửa đổi, bổ sung một số điều",
            "11/2021/QĐ-UBND",
            "Ủy ban nhân dân tỉnh An Giang",
            "sửa đổi, bổ sung một số điều",
        ),
        (
            "Nghị quyết số 11/2021/NQ-HĐND ngày 15 tháng 7 năm 2021 của Hội đồng nhân dân tỉnh An Giang quy định mức hỗ trợ",
            "11/2021/NQ-HĐND",
            "Hội đồng nhân dân tỉnh An Giang",
            "quy định mức hỗ trợ",
        ),
        (
            "Công văn số 463/UBND-VX ngày 02/3/2022 của UBND tỉnh về việc rà soát chế độ",
            "463/UBND-VX",
            "UBND tỉnh",
            "rà soát chế độ",
        ),
        (
            "Công văn số 2863-CV/TU ngày 12/4/2019 của Ban Thường vụ Tỉnh ủy Hà Tĩnh triển khai Kết luận",
            "2863-CV/TU",
            "Ban Thường vụ Tỉnh ủy Hà Tĩnh",
            "triển khai Kết luận",
        ),
        (
            "Tờ trình số 194/TTr-CAT-QLHC ngày 10/3/2022 của Công an tỉnh An Giang đề nghị",
            "194/TTr-CAT-QLHC",
            "Công an tỉnh An Giang",
            None,
        ),
        (
            "Kế hoạch số 177-KH/TU, ngày 18/6/2019 của Ban Thường vụ Tỉnh ủy (khóa XVIII) về thực hiện Kết luận",
            "177-KH/TU",
            "Ban Thường vụ Tỉnh ủy",
            "thực hiện Kết luận",
        ),
        (
            "Hướng dẫn số 05/HD-SKHĐT của Sở Kế hoạch và Đầu tư tỉnh Tây Ninh hướng dẫn lập kế hoạch",
            "05/HD-SKHĐT",
            "Sở Kế hoạch và Đầu tư tỉnh Tây Ninh",
            "hướng dẫn lập kế hoạch",
        ),
    ],
)
def test_issuer_stops_and_title_follows(text, number, issuer, title) -> None:
    ref = _one(text)
    assert (ref.number, ref.issuer, ref.title) == (number, issuer, title)


def test_issuer_run_on_on_generated_citations_is_at_most_two_percent() -> None:
    bench = _load_benchmark()
    items = bench.citations(800, seed=11)
    assert {c.form for c in items} == {"state", "party"}
    for form in ("state", "party"):
        score = bench.measure([c for c in items if c.form == form])
        assert score.run_on <= 0.02, (form, score)
        assert score.numbers_and_dates >= 0.99, (form, score)
        assert score.exact >= 0.95, (form, score)

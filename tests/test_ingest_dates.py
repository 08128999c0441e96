"""Dates (ingest/dates.py) and section labels (ingest/sections.py): the one home each has, read by ingest,
index and search_app alike."""

from __future__ import annotations

import re

import pytest

from ingest.dates import PLACE_DATE, dmy, iso_date, long_date, numeric_date, parse_date
from ingest.deadlines import find_deadline
from ingest.sections import SectionPath, ancestors, numbering, section_key, section_references, within
from search_app.app import format_date


@pytest.mark.parametrize(
    "text, iso",
    [
        ("22/01/2019", "2019-01-22"),
        ("22.1.2019", "2019-01-22"),
        ("2019-01-22", "2019-01-22"),
        ("Hà Nội, ngày 22 tháng 01 năm 2019", "2019-01-22"),
        ("NGÀY 5 THÁNG 3 NĂM 2021", "2021-03-05"),
        ("22 tháng 1 năm 2019", "2019-01-22"),
        ("31/02/2019", None),  # no such day: not stored as an ISO date that is none
        ("01/13/2019", None),
        ("22/01/1850", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_display_form_is_the_one_of_the_documents():
    assert dmy("2019-01-22") == "22/01/2019" == format_date("2019-01-22")
    assert dmy("năm 2019") == "năm 2019" == format_date("năm 2019")  # not a date: shown as written
    assert dmy(None) is None and format_date(None) == ""
    assert iso_date(2024, 2, 29) == "2024-02-29" and iso_date(2023, 2, 29) is None


def test_patterns_for_toned_and_folded_text():
    spaced = re.compile(numeric_date(named=True, spaced=True, year_optional=True))
    assert spaced.search("trước 15 / 12").group("y") is None
    assert spaced.search("ngày 15 - 12 - 2024").group("y") == "2024"
    assert re.search(long_date(folded=True), "ha noi, ngay 22 thang 01 nam 2019")
    assert re.search(long_date(day_word="none"), "22 tháng 01 năm 2019")
    assert not re.search(long_date(), "22 tháng 01 năm 2019")  # "ngày" required by default
    match = PLACE_DATE.match("Quảng Trị, ngày 02 tháng 3 năm 2024")
    assert (match.group("place"), parse_date(match.group(0))) == ("Quảng Trị", "2024-03-02")


def test_deadlines_read_dates_through_the_same_module():
    assert find_deadline("hoàn thành trước ngày 30/6/2024").date == "2024-06-30"
    assert find_deadline("hoàn thành trước ngày 15/12", year=2024).date == "2024-12-15"
    assert find_deadline("trước ngày 30 tháng 9 năm 2024").date == "2024-09-30"
    assert find_deadline("trước ngày 31/02/2024") is None  # no such day: no date made up


def test_section_paths_nest_by_rank():
    path = SectionPath()
    for heading in ("II. Nhiệm vụ", "3- Tăng cường", "a) Các cấp"):
        style, rank, label = numbering(heading)
        path.enter(rank, label)
    assert path.path == "II.3.a"
    path.enter(*numbering("2.1. Mục tiêu")[1:])
    assert path.path == "II.2.1"
    law = SectionPath()
    for heading in ("Chương II QUY ĐỊNH", "Điều 5. Nguyên tắc", "2. Kết hợp"):
        law.enter(*numbering(heading)[1:])
    assert law.path == "Điều 5.2"  # "Điều" numbers are unique in a document
    assert numbering("Ban Tuyên giáo") is None


def test_sections_folded_and_asked_for():
    assert section_key("Điều 5.2") == "dieu 5.2" and section_key("III.4") == "iii.4"
    assert within("2.3.1", "2.3") and within("2.3", "2.3") and not within("2.30", "2.3")
    assert ancestors("II.3.a") == ["II", "II.3", "II.3.a"] and ancestors("") == []
    assert ancestors("Điều 5.2") == ["Điều 5", "Điều 5.2"]
    assert section_references("muc iii.4 chi thi 09") == ["iii.4", "muc iii.4"]
    assert section_references("khoan 2 cua dieu 5") == ["dieu 5.2"]

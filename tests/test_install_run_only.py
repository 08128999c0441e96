"""The run install alone (`pip install -e .`, what `make run` does) reads every format the README promises.

A clean virtual environment gets only that install, then ingests one file of each format; a reader
whose import needs a package the run install lacks (lxml_html_clean once) fails here, not at a user's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

_INGEST_ONE_OF_EACH = """
import json, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from ingest_fixtures import write_docx, write_pdf
from ingest.pipeline import ingest_paths
from ingest.readers import SUPPORTED_SUFFIXES

folder = Path({folder!r}); folder.mkdir()
body = "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy tăng cường lãnh đạo công tác bảo đảm an ninh, trật tự."
(folder / "a.txt").write_text(body, encoding="utf-8")
(folder / "b.md").write_text("# Chỉ thị\\n\\n" + body, encoding="utf-8")
(folder / "c.html").write_text("<html><head><title>Tin</title></head><body><article><h1>Tin bài</h1><p>" + body
                               + "</p><p>" + body + "</p></article></body></html>", encoding="utf-8")
write_docx(folder / "d.docx", [body])
write_pdf(folder / "e.pdf", ["Ke hoach so 177-KH/TU thuc hien Ket luan so 44-KL/TW cua Ban Bi thu."])
(folder / "f.jsonl").write_text(json.dumps({{"id": "g", "text": body}}, ensure_ascii=False), encoding="utf-8")
if {with_debian_tools!r}:  # scans (Tesseract) and .doc (LibreOffice): the Debian packages `make run` installs
    import shutil, subprocess
    from scan_fixtures import LETTER, render_page, write_image_pdf
    write_image_pdf(folder / "h-scan.pdf", [render_page(LETTER)])
    write_docx(folder.parent / "i.docx", [body])
    subprocess.run([shutil.which("soffice"), "--headless", "-env:UserInstallation=" + (folder.parent / "lo").as_uri(),
                    "--convert-to", "doc:MS Word 97", "--outdir", str(folder), str(folder.parent / "i.docx")],
                   check=True, capture_output=True, timeout=180)
corpus = ingest_paths([folder])
print(json.dumps({{"read": sorted(Path(d.source_path.split(":")[0]).suffix for d in corpus.documents),
                  "skipped": [s.model_dump() for s in corpus.skipped],
                  "supported": sorted(SUPPORTED_SUFFIXES)}}))
"""


@pytest.mark.slow
def test_a_clean_run_install_ingests_one_file_of_each_format(tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-e", str(REPO)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    debian_tools = all(shutil.which(tool) for tool in ("tesseract", "soffice"))  # CI has both
    script = _INGEST_ONE_OF_EACH.format(
        tests=str(REPO / "tests"), folder=str(tmp_path / "docs"), with_debian_tools=debian_tools
    )
    run = subprocess.run(
        [str(python), "-c", script], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["skipped"] == []
    expected = [".docx", ".html", ".jsonl", ".md", ".pdf", ".txt"]
    if debian_tools:
        expected = sorted(expected + [".doc", ".pdf"])
    assert result["read"] == expected
    assert {".txt", ".md", ".html", ".docx", ".pdf", ".jsonl"} <= set(result["supported"])

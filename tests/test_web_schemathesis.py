"""Schemathesis against the live app (uvicorn on loopback, the bundled index): every check, bounded
(100 examples per operation, fixed seed), must find 0 server errors and 0 schema or status violations."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from live_server import free_port, serving

from search_app.app import create_app
from search_app.settings import Settings

pytestmark = pytest.mark.slow
SEED = 20260
EXAMPLES = 100


@pytest.fixture(scope="module")
def live_url(bundled_index_dir, data_dir):
    port = free_port()
    settings = Settings(index_dir=bundled_index_dir, data_dir=data_dir, host="127.0.0.1", port=port)
    options = {k: v for k, v in settings.uvicorn_options().items() if k not in ("host", "port")}
    with serving(create_app(settings), port, "/api/documents", **options) as url:
        yield url


def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_url, tmp_path):
    cli = Path(sys.executable).with_name("schemathesis")
    if not cli.exists():
        pytest.fail("schemathesis is missing: pip install -e '.[test]'")
    junit = tmp_path / "schemathesis.xml"
    run = subprocess.run(
        [
            str(cli),
            "run",
            f"{live_url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
            "--request-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    summary = run.stdout[-3000:]
    print(summary)  # the counts, for the record (pytest -s)
    cases = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert run.returncode == 0 and cases, summary
    assert int(cases.group(1)) == int(cases.group(2)) >= 4 * 50, summary
    report = junit.read_text()
    assert 'failures="0"' in report and 'errors="0"' in report, report[:2000]

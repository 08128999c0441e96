"""Schemathesis against the live app (uvicorn on loopback, the bundled index): every check, bounded
(100 examples per operation, fixed seed), must find 0 server errors and 0 schema or status violations."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from search_app.app import create_app
from search_app.settings import Settings

pytestmark = pytest.mark.slow
SEED = 20260
EXAMPLES = 100


@pytest.fixture(scope="module")
def live_url(bundled_index_dir, data_dir):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(index_dir=bundled_index_dir, data_dir=data_dir, host="127.0.0.1", port=port)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), log_level="warning", **settings.uvicorn_options())
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 300
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    url = f"http://127.0.0.1:{port}"
    assert httpx.get(url + "/api/documents").status_code == 200
    yield url
    server.should_exit = True
    thread.join(timeout=30)


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

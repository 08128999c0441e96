"""The real app served by uvicorn in a thread on loopback, for tests that need a socket (browser,
schemathesis), and the port it takes."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app, port: int, ready_path: str, timeout: float = 300, **options) -> Iterator[str]:
    """The base URL of `app` served on 127.0.0.1:`port` once `ready_path` answers 200; stopped after."""
    config = uvicorn.Config(app, **{"host": "127.0.0.1", "port": port, "log_level": "warning", **options})
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    url = f"http://127.0.0.1:{port}"
    assert httpx.get(url + ready_path).status_code == 200
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)

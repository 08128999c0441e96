"""FastAPI dependencies: what every route receives instead of reaching for globals.

Consumes the objects `create_app` / its lifespan put on `app.state` (Settings, Searcher,
Jinja2Templates) and hands them to routes through `Depends`, so tests can override them
(`app.dependency_overrides[get_searcher] = lambda: bundled_searcher`). They are `async def` because
they only read attributes: FastAPI runs a sync dependency in its threadpool, one thread hop each
(five of them were ~2 ms of a search through HTTP on 2 cores).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from index.access import ANONYMOUS, Audience
from search_app.settings import Settings

if TYPE_CHECKING:
    from index.searcher import Searcher


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_searcher(request: Request) -> Searcher:
    searcher = getattr(request.app.state, "searcher", None)
    if searcher is None:  # only when the lifespan did not run (a test that forgot to override)
        raise RuntimeError("the index is not loaded: run the app with its lifespan or override get_searcher")
    return searcher


async def get_audience(request: Request) -> Audience:
    """Who is asking: what the authentication middleware (search_app.auth) put on the request, else an
    anonymous caller, who reads public documents only."""
    return getattr(request.state, "audience", None) or ANONYMOUS


async def get_search_pool(request: Request) -> ThreadPoolExecutor:
    """One worker per CPU core runs the searches in arrival order; routes are sync (FastAPI runs them
    in its own threadpool), so waiting for a result blocks a pool thread, never the event loop."""
    return request.app.state.search_pool


async def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


SettingsDep = Annotated[Settings, Depends(get_settings)]
# typed Any so importing this module does not load the index stack (FastAPI evaluates the annotation)
SearcherDep = Annotated[Any, Depends(get_searcher)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
SearchPoolDep = Annotated[ThreadPoolExecutor, Depends(get_search_pool)]
AudienceDep = Annotated[Audience, Depends(get_audience)]


def get_reader(searcher: SearcherDep, audience: AudienceDep):
    """The caller's view of the index for everything but searching (index.reader.Reader). Sync, so in the
    threadpool: a reader of a new set of groups builds its view of the document table (NumberTable)."""

    return searcher.reader(audience)


ReaderDep = Annotated[Any, Depends(get_reader)]


class SearchRunner:
    """The one way routes search: on the search pool, with the settings' query-length limit, within what
    the caller may read."""

    def __init__(
        self, searcher: Searcher, settings: Settings, pool: ThreadPoolExecutor, audience: Audience = ANONYMOUS
    ):
        self.searcher, self.settings, self.pool, self.audience = searcher, settings, pool, audience

    def _search(self, q: str, **params):
        return self.searcher.search(
            q, **params, max_query_chars=self.settings.max_query_chars, audience=self.audience
        )

    def _search_json(self, q: str, **params) -> str:
        return self._search(q, **params).model_dump_json()

    def _submit(
        self,
        work,
        q: str,
        *,
        k: int,
        offset: int = 0,
        doc_type: str | None = None,
        issuer: str | None = None,
        year: int | None = None,
    ) -> Future:
        return self.pool.submit(work, q, k=k, offset=offset, doc_type=doc_type, issuer=issuer, year=year)

    def __call__(self, q: str, **params):
        """The SearchResponse (params: _submit's), waited for in the calling (threadpool) thread."""
        return self._submit(self._search, q, **params).result()

    async def json(self, q: str, **params) -> str:
        """The SearchResponse as JSON, searched and serialized on the search pool and awaited on the event
        loop: an async route then costs no threadpool hop of its own. Raises what the search raises."""
        return await asyncio.wrap_future(self._submit(self._search_json, q, **params))


async def get_search_runner(
    searcher: SearcherDep, settings: SettingsDep, pool: SearchPoolDep, audience: AudienceDep
) -> SearchRunner:
    return SearchRunner(searcher, settings, pool, audience)


SearchRunnerDep = Annotated[SearchRunner, Depends(get_search_runner)]

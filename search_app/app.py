"""The web application: FastAPI + Jinja2 pages and the JSON API on top of `index.searcher.Searcher`.

Consumes `Settings` (search_app/settings.py). `create_app(settings)` returns a FastAPI app whose
lifespan builds the index from `settings.data_dir` when `settings.index_dir` holds none, then loads
the `Searcher` once and keeps it on `app.state`. Produces HTML pages (routes_pages, routes_collection)
and JSON (routes_api); routes get Settings/Searcher/templates through `search_app.deps`.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from search_app.settings import Settings

HERE = Path(__file__).parent

# Pages use no scripts at all; even if escaping ever failed, the browser would refuse to run one.
SECURITY_POLICY = "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
ERROR_TITLES = {
    404: "Không tìm thấy trang",
    405: "Phương thức không được hỗ trợ",
    422: "Yêu cầu không hợp lệ",
}


def format_date(iso: str | None) -> str:
    """ISO yyyy-mm-dd -> dd/mm/yyyy (how Vietnamese documents write dates); other strings unchanged."""
    if not iso:
        return ""
    try:
        return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def mark_spans(text: str, spans, css_class: str = "") -> Markup:
    """Escape `text` and wrap each [start, end) span in <mark>; spans are clipped, sorted and merged."""
    clean: list[list[int]] = []
    for span in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans or []):
        if span[0] >= span[1]:
            continue
        if clean and span[0] < clean[-1][1]:  # overlapping; adjacent spans stay separate marks
            clean[-1][1] = max(clean[-1][1], span[1])
        else:
            clean.append(list(span))
    attr = Markup(' class="%s"') % css_class if css_class else Markup("")
    out, pos = [], 0
    for start, end in clean:
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark%s>%s</mark>") % (attr, text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value is escaped unless a helper above built it as Markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["vndate"] = format_date
    env.globals["mark_spans"] = mark_spans
    return Jinja2Templates(env=env)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    title = ERROR_TITLES.get(status, "Lỗi")
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "title": title, "message": message}, status_code=status
    )


def _search_pool() -> ThreadPoolExecutor:
    # Searches are CPU-bound (query embedding, scoring): more running at once than there are cores only
    # fight over the GIL, so they run on one worker per core and the rest queue in arrival order (FIFO).
    return ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="search")


def create_app(settings: Settings, embedder=None) -> FastAPI:
    """The app for these settings; `embedder` is made from the settings at start-up unless given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if getattr(app.state, "searcher", None) is None:
            from index.build import ensure_index
            from index.searcher import IndexLoadError, Searcher

            loaded = embedder or settings.make_embedder()
            ensure_index(settings.index_dir, settings.data_dir, loaded)
            try:
                app.state.searcher = Searcher.load(settings.index_dir, loaded, settings.query_cache)
            except IndexLoadError as exc:
                # never rebuilt silently: the folder may index documents other than data/
                raise RuntimeError(
                    f"{exc}\nLập lại chỉ mục: tracuu ingest <thư mục văn bản> --index-dir {settings.index_dir}"
                ) from exc
        app.state.search_pool.shutdown(wait=False)
        app.state.search_pool = _search_pool()  # fresh per server run: the previous one may be shut down
        try:
            yield
        finally:
            app.state.search_pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="tracuu — tra cứu văn bản",
        description="Tìm đoạn văn trả lời câu hỏi trong chỉ thị, kết luận, kế hoạch, công văn; mỗi kết quả có trích dẫn.",
        lifespan=lifespan,
        docs_url=None,  # served below from the swagger-ui-bundle package: the default loads it from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.searcher = None
    app.state.search_pool = _search_pool()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} — API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(("/docs", "/redoc")):  # Swagger UI needs its own scripts
            response.headers.setdefault("Content-Security-Policy", SECURITY_POLICY)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException):
        if _wants_json(request):
            return await http_exception_handler(request, exc)
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else ""
        return _error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(request: Request, exc: RequestValidationError):
        if _wants_json(request):
            return await request_validation_exception_handler(request, exc)
        reasons = "; ".join(str(err.get("msg", "")) for err in exc.errors())
        return _error_page(request, 422, reasons)

    from search_app import routes_api, routes_collection, routes_mandates, routes_pages

    app.include_router(routes_pages.router)
    app.include_router(routes_collection.router)
    app.include_router(routes_api.router)
    app.include_router(routes_mandates.router)
    app.include_router(routes_mandates.api)
    return app

"""The web application: FastAPI + Jinja2 pages and the JSON API on top of `index.searcher.Searcher`.

Consumes `Settings` (search_app/settings.py). `create_app(settings)` returns a FastAPI app whose
lifespan builds the index from `settings.data_dir` when `settings.index_dir` holds none, then loads
the `Searcher` and keeps it on `app.state`, swapping in each new build an ingest publishes
(search_app.reload). Produces HTML pages (routes_pages, routes_collection)
and JSON (routes_api); routes get Settings/Searcher/templates through `search_app.deps`.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.types import document_url, paragraph_url
from ingest.dates import dmy
from search_app import auth, security
from search_app.audit import AuditLog
from search_app.collection import collection_count
from search_app.messages import vietnamese_reason
from search_app.settings import Settings
from search_app.user_records import UsersFileError
from search_app.users import UserStore

HERE = Path(__file__).parent
ERROR_TITLES = {
    403: "Yêu cầu bị từ chối",
    404: "Không tìm thấy trang",
    405: "Phương thức không được hỗ trợ",
    413: "Nội dung gửi lên quá lớn",
    422: "Yêu cầu không hợp lệ",
}
MAX_REASON_CHARS = 300  # a 422 names what was wrong, never echoes what was sent


def format_date(iso: str | None) -> str:
    """ISO yyyy-mm-dd -> dd/mm/yyyy (how Vietnamese documents write dates); other strings unchanged."""
    return dmy(iso) or ""


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


def doc_name(item) -> str:
    """How a result names its document: "Kết luận 44-KL/TW"; one without a number "Tin bài: <title>"."""
    if item.doc_number:
        return " ".join(x for x in (item.doc_type, item.doc_number) if x)
    if item.doc_type and item.doc_title:
        return f"{item.doc_type}: {item.doc_title}"
    return item.doc_title or item.doc_type or item.doc_id


def answer_link(answer) -> str:
    """The answer's paragraph in its document, asking the page to mark the answering sentence(s)."""
    query = urlencode({"p": answer.paragraph_id, "hl": f"{answer.start}-{answer.end}"})
    return f"{document_url(answer.doc_id)}?{query}#p-{answer.paragraph_id}"


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
    env.globals["document_url"] = document_url
    env.globals["paragraph_url"] = paragraph_url
    env.globals["doc_name"] = doc_name
    env.globals["answer_link"] = answer_link
    env.globals["csrf_token"] = security.csrf_token
    env.globals["collection_count"] = collection_count
    env.globals["signed_in_user"] = auth.signed_in_user
    env.globals["login_notice"] = auth.login_notice
    return Jinja2Templates(env=env)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    title = ERROR_TITLES.get(status, "Lỗi")
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "title": title, "message": message}, status_code=status
    )


def validation_details(exc: RequestValidationError) -> list[dict]:
    """FastAPI's 422 items without their `input` and `ctx` (the request's own, possibly huge, values)."""
    return [
        {
            "loc": [part if isinstance(part, int) else str(part)[:100] for part in err.get("loc", ())][:10],
            "msg": vietnamese_reason(err)[:MAX_REASON_CHARS],
            "type": str(err.get("type", ""))[:100],
        }
        for err in exc.errors()[:20]
    ]


def _search_pool(settings: Settings) -> ThreadPoolExecutor:
    # Searches are CPU-bound (query embedding, scoring): more running at once than there are cores only
    # fight over the GIL, so they run on one worker per core (a Ray replica: per core it is given) and the
    # rest queue in arrival order (FIFO).
    workers = settings.search_workers or max(1, os.cpu_count() or 1)
    cores = settings.search_cores
    if not cores or not hasattr(os, "sched_setaffinity"):
        return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="search")
    # On Linux pid 0 is the calling thread: each search thread, and what it starts, keeps to `cores`.
    return ThreadPoolExecutor(
        max_workers=workers,
        thread_name_prefix="search",
        initializer=os.sched_setaffinity,
        initargs=(0, cores),
    )


class ProtectedApp(FastAPI):
    """FastAPI with search_app.security's layer outside everything, the 500 handler included."""

    def __init__(self, settings: Settings, **kwargs):
        self.tracuu_settings = settings
        super().__init__(**kwargs)

    def build_middleware_stack(self):
        return security.protect(super().build_middleware_stack(), self.tracuu_settings)


def mount_api_docs(app: FastAPI) -> None:
    """/docs: Swagger UI 5 (reads OpenAPI 3.1) from the swagger-ui-py package, started by a local script."""
    try:
        import swagger_ui
    except ImportError as exc:  # a run-time dependency: say how to get it rather than serve a broken page
        raise RuntimeError("Thiếu gói swagger-ui-py cho trang /docs: pip install swagger-ui-py") from exc
    assets = Path(swagger_ui.__file__).parent / "static"
    app.mount("/docs/assets", StaticFiles(directory=assets), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return request.app.state.templates.TemplateResponse(
            request, "api_docs.html", {"title": f"{app.title} — API"}
        )


def create_app(settings: Settings, embedder=None) -> FastAPI:
    """The app for these settings; `embedder` is made from the settings at start-up unless given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        served = None
        try:  # a users file that cannot be read stops the start, rather than locking everyone out later
            app.state.user_store.data()
            app.state.user_store.decoy_hash()
        except UsersFileError as exc:
            raise RuntimeError(str(exc)) from None
        if getattr(app.state, "searcher", None) is None:
            from index.build import IndexMissing, ensure_index
            from index.searcher import IndexLoadError
            from search_app.reload import ServedIndex

            loaded = embedder or settings.make_embedder()
            # the default folder may be (re)built from data/; one the user named may hold other documents
            try:
                ensure_index(
                    settings.index_dir,
                    settings.data_dir,
                    loaded,
                    rebuild_broken="index_dir" not in settings.model_fields_set,
                )
            except IndexMissing as exc:
                raise RuntimeError(str(exc)) from None
            served = ServedIndex(
                app.state, settings.index_dir, loaded, settings.query_cache, settings.reload_interval
            )
            try:
                served.load_current()
            except IndexLoadError as exc:
                raise RuntimeError(
                    f"{exc}\nLập lại chỉ mục: tracuu ingest <thư mục văn bản> --index-dir {settings.index_dir}"
                ) from exc
            served.start()
        app.state.search_pool.shutdown(wait=False)
        app.state.search_pool = _search_pool(
            settings
        )  # fresh per server run: the previous one may be shut down
        try:
            yield
        finally:
            app.state.search_pool.shutdown(wait=False, cancel_futures=True)
            if served is not None:
                served.stop()

    app = ProtectedApp(
        settings,
        title="tracuu — tra cứu văn bản",
        description="Tìm đoạn văn trả lời câu hỏi trong chỉ thị, kết luận, kế hoạch, công văn; mỗi kết quả có trích dẫn.",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: the default loads Swagger UI from a CDN
        redoc_url=None,
        redirect_slashes=False,  # its redirects are absolute URLs built from the Host header
        max_body_size=settings.max_body_bytes,
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    secret = security.app_secret(settings)  # one key signs this app's CSRF tokens and login cookies
    app.state.csrf_signer = security.make_signer(settings, secret)
    app.state.login_cookies = auth.LoginCookies(secret, settings)
    app.state.user_store = UserStore(settings.users_path)
    app.state.audit = AuditLog(settings.audit_path)
    app.state.failure_limits = auth.FailureLimits(settings)
    app.state.searcher = None
    app.state.search_pool = _search_pool(settings)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(
        auth.AuthMiddleware,
        settings=settings,
        store=app.state.user_store,
        cookies=app.state.login_cookies,
        limits=app.state.failure_limits,
        audit=app.state.audit,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    mount_api_docs(app)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:  # FastAPI's "error parsing the body": bytes that are not UTF-8 text
            return await on_invalid_request(
                request,
                RequestValidationError(
                    [
                        {
                            "loc": ("body",),
                            "msg": "Nội dung gửi lên không phải văn bản UTF-8 hợp lệ.",
                            "type": "body_undecodable",
                        }
                    ]
                ),
            )
        if _wants_json(request):
            return await http_exception_handler(request, exc)
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else ""
        return _error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(request: Request, exc: RequestValidationError):
        details = validation_details(exc)
        if _wants_json(request):
            return JSONResponse({"detail": details}, status_code=422)
        return _error_page(request, 422, "; ".join(d["msg"] for d in details))

    from search_app import routes_api, routes_auth, routes_collection, routes_mandates, routes_pages

    app.include_router(routes_pages.router)
    app.include_router(routes_collection.router)
    app.include_router(routes_api.router)
    app.include_router(routes_mandates.router)
    app.include_router(routes_mandates.api)
    app.include_router(routes_auth.router)
    app.include_router(routes_auth.api)
    return app

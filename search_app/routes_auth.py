"""Login, logout and "who am I": the pages and the one API route of search_app.auth.

Consumes form posts (CSRF-checked like every form, search_app.security) and the users file
(search_app.users); produces the login page (templates/login.html), the signed login cookie
(search_app.auth.LoginCookies) with a 303 back to a local `next` page, and `GET /api/me`. A wrong name
or password gets one generic 401 message; past the failure limits, 429 before any password is checked.
Every outcome is written to the audit log (search_app.audit).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from search_app.audit import client_address
from search_app.auth import API_AUTH_RESPONSES, too_many_message
from search_app.deps import AudienceDep, TemplatesDep
from search_app.params import local_target
from search_app.security import CsrfDep
from search_app.user_records import UsersFileError

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", responses=API_AUTH_RESPONSES)

WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
USERS_UNREADABLE = "Máy chủ chưa đọc được danh sách người dùng; hãy báo cho người quản trị."
NOT_SIGNED_IN = "Chưa đăng nhập: gửi kèm mã truy cập (Authorization: Bearer ...) hoặc đăng nhập."
MAX_FIELD = 1024  # longer names or passwords are wrong ones; Argon2 need not hash a megabyte


def _next_page(raw: str) -> str:
    target = local_target(raw, fallback="/")
    return "/" if target.startswith("/login") else target


def _login_page(
    request: Request,
    templates,
    *,
    next_page: str,
    username: str = "",
    message: str = "",
    status: int = 200,
    headers=None,
):
    return templates.TemplateResponse(
        request,
        "login.html",
        {"next_page": next_page, "username": username[:64], "message": message},
        status_code=status,
        headers=headers,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, templates: TemplatesDep, next: str = ""):
    return _login_page(request, templates, next_page=_next_page(next))


@router.post("/login", response_class=HTMLResponse, dependencies=[CsrfDep])
def login(
    request: Request,
    templates: TemplatesDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
):
    username = username.strip()[:MAX_FIELD]
    with request.app.state.failure_limits.one_at_a_time(username):
        return _check_login(request, templates, username, password, _next_page(next))


def _check_login(request: Request, templates, username: str, password: str, next_page: str):
    state, address = request.app.state, client_address(request)
    page = {"next_page": next_page, "username": username}
    retry = state.failure_limits.login_retry_after(username, address)
    if retry is not None:
        state.audit.record_request(request, "login_limited", user=username, detail=f"retry after {retry} s")
        return _login_page(
            request,
            templates,
            **page,
            message=too_many_message(retry),
            status=429,
            headers={"Retry-After": str(retry)},
        )
    try:
        user = state.user_store.authenticate(username, password) if len(password) <= MAX_FIELD else None
    except UsersFileError:
        return _login_page(request, templates, **page, message=USERS_UNREADABLE, status=503)
    if user is None:
        state.failure_limits.login_failed(username, address)
        state.audit.record_request(request, "login_failed", user=username)
        return _login_page(request, templates, **page, message=WRONG_LOGIN, status=401)
    state.failure_limits.login_succeeded(username)
    state.audit.record_request(request, "login", user=user.name)
    response = RedirectResponse(next_page, status_code=303)
    response.headers.append("set-cookie", state.login_cookies.set_header(user))
    return response


@router.post("/logout", dependencies=[CsrfDep])
def logout(request: Request, audience: AudienceDep):
    """Signs the user out everywhere: their session version changes, so every login cookie stops working."""
    state = request.app.state
    if audience.user is not None:
        state.user_store.end_sessions(audience.user)
        state.audit.record_request(request, "logout", user=audience.user)
    response = RedirectResponse("/", status_code=303)
    response.headers.append("set-cookie", state.login_cookies.clear_header())
    return response


class Me(BaseModel):
    user: str
    groups: list[str]


@api.get(
    "/me",
    response_model=Me,
    summary="Người dùng đang gọi (theo mã truy cập hoặc phiên đăng nhập)",
    responses={401: {**API_AUTH_RESPONSES[401], "description": "Chưa đăng nhập hoặc mã truy cập sai"}},
)
def me(audience: AudienceDep) -> Me:
    if audience.user is None:
        raise HTTPException(401, NOT_SIGNED_IN, headers={"WWW-Authenticate": "Bearer"})
    return Me(user=audience.user, groups=sorted(audience.groups))

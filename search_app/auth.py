"""Who is calling: every request's user from its API token or login cookie, and the login rate limits.

Consumes the request's `Authorization: Bearer` header or its signed login cookie, the users file
(search_app.users) and the Settings; produces `request.state.audience` (index.access.Audience of the
user and their groups; unset for anonymous callers, whom search_app.deps.get_audience treats as
ANONYMOUS). A bad token is answered here (401, or 429 past the per-address limit) and audited; a
forged, expired or stale cookie makes the caller anonymous, clears the cookie and sets
`request.state.login_notice`. With `require_login`, anonymous callers are sent to /login (pages) or
get 401 (/api/). `FailureLimits` counts failed logins and tokens per account and per address with the
`limits` library's moving window.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from index.access import Audience
from search_app.audit import AuditLog, client_address
from search_app.settings import Settings
from search_app.user_records import User, UsersFileError
from search_app.users import UserStore

LOGIN_COOKIE = "tracuu_login"
COOKIE_PREFIX = f"{LOGIN_COOKIE}=".encode()
SESSION_EXPIRED = "Phiên đăng nhập đã hết hạn hoặc không hợp lệ; hãy đăng nhập lại."
TOKEN_REFUSED = "Mã truy cập (token) không hợp lệ hoặc đã bị thu hồi."
LOGIN_REQUIRED = "Cần đăng nhập: gửi kèm mã truy cập (Authorization: Bearer ...) hoặc đăng nhập tại /login."
OPEN_PATHS = ("/login", "/healthz")  # reachable without login even when require_login is on
OPEN_PREFIXES = ("/static/",)
log = logging.getLogger("tracuu.auth")


class AuthRefusal(BaseModel):
    """The body of a 401 or 429 from this layer: the reason, in Vietnamese."""

    detail: str


# What AuthMiddleware may answer on any /api/ route before the route runs, declared on the API routers so
# OpenAPI lists every status a client can get.
API_AUTH_RESPONSES = {
    401: {
        "model": AuthRefusal,
        "description": "Mã truy cập sai hoặc đã thu hồi; hoặc máy chủ yêu cầu đăng nhập",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    },
    429: {
        "model": AuthRefusal,
        "description": "Quá nhiều lần gửi mã truy cập sai từ địa chỉ này",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Số giây phải chờ"}},
    },
}


def too_many_message(retry_after: int) -> str:
    return (
        f"Quá nhiều lần đăng nhập hoặc mã truy cập sai; hãy thử lại sau {math.ceil(retry_after / 60)} phút."
    )


class LoginCookies:
    """The signed login cookie: user name and session version, signed and dated by itsdangerous."""

    def __init__(self, secret: str, settings: Settings):
        self.serializer = URLSafeTimedSerializer(secret, salt="tracuu-login")
        self.max_age = int(settings.login_max_age_hours * 3600)
        self.flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if settings.cookies_secure else "")

    def issue(self, user: User) -> str:
        return self.serializer.dumps({"u": user.name, "v": user.session_version})

    def set_header(self, user: User) -> str:
        return f"{LOGIN_COOKIE}={self.issue(user)}; Max-Age={self.max_age}{self.flags}"

    def clear_header(self) -> str:
        return f"{LOGIN_COOKIE}=; Max-Age=0{self.flags}"

    def user(self, value: str, store: UserStore) -> User | None:
        """The cookie's user while the signature is good, not past max age, and the user still has the
        session version it was issued with; anything else is None."""
        try:
            claims = self.serializer.loads(value, max_age=self.max_age)
        except BadSignature:  # SignatureExpired is one
            return None
        if not isinstance(claims, dict) or not isinstance(claims.get("u"), str):
            return None
        user = store.user(claims["u"])
        return user if user is not None and user.session_version == claims.get("v") else None


class FailureLimits:
    """Failed logins per account and per address, failed tokens per address, in moving windows."""

    def __init__(self, settings: Settings):
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        # logins of one account run one at a time, so N guesses sent at once still meet the limit after
        # the first few; striped, so memory stays bounded whatever names are tried
        self._stripes = [threading.Lock() for _ in range(64)]
        self.account = parse(settings.login_limit_account)
        self.address = parse(settings.login_limit_address)
        self.token = parse(settings.token_limit_address)

    def _retry_after(self, checks) -> int | None:
        """Seconds until every exhausted window admits one more try; None when none is exhausted."""
        waits = [
            self.limiter.get_window_stats(item, kind, key).reset_time - time.time()
            for item, kind, key in checks
            if not self.limiter.test(item, kind, key)
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def one_at_a_time(self, account: str) -> threading.Lock:
        return self._stripes[hash(account.casefold()) % len(self._stripes)]

    def login_retry_after(self, account: str, address: str) -> int | None:
        return self._retry_after(
            [(self.account, "account", account.casefold()), (self.address, "address", address)]
        )

    def login_failed(self, account: str, address: str) -> None:
        self.limiter.hit(self.account, "account", account.casefold())
        self.limiter.hit(self.address, "address", address)

    def login_succeeded(self, account: str) -> None:
        # only the account's count: one good password must not reset an address guessing other accounts
        self.limiter.clear(self.account, "account", account.casefold())

    def token_retry_after(self, address: str) -> int | None:
        return self._retry_after([(self.token, "token", address)])

    def token_failed(self, address: str) -> None:
        self.limiter.hit(self.token, "token", address)


def _open_path(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


class AuthMiddleware:
    """ASGI layer inside search_app.security's: sets request.state.audience (see the module docstring)."""

    def __init__(self, app, *, settings: Settings, store: UserStore, cookies: LoginCookies, limits, audit):
        self.app, self.settings, self.store, self.cookies = app, settings, store, cookies
        self.limits: FailureLimits = limits
        self.audit: AuditLog = audit

    def _lookup(self, find, *args) -> User | None:
        try:
            return find(*args)
        except UsersFileError as exc:  # fail closed: nobody is signed in until the file is readable
            log.error("%s", exc)
            return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        state = scope.setdefault("state", {})
        user, clear_cookie = None, False
        token = _bearer(request)
        if token is not None:
            address = client_address(request)
            retry = self.limits.token_retry_after(address)
            if retry is not None:
                await run_in_threadpool(self.audit.record_request, request, "token_failed", detail="limited")
                return await self._refuse(429, too_many_message(retry), {"Retry-After": str(retry)})(
                    scope, receive, send
                )
            user = self._lookup(self.store.token_user, token) if token else None
            if user is None:
                self.limits.token_failed(address)
                await run_in_threadpool(self.audit.record_request, request, "token_failed", detail="invalid")
                return await self._refuse(401, TOKEN_REFUSED)(scope, receive, send)
        elif (cookie := request.cookies.get(LOGIN_COOKIE)) is not None:
            user = self._lookup(self.cookies.user, cookie, self.store)
            if user is None:
                clear_cookie = True
                state["login_notice"] = SESSION_EXPIRED
        if user is not None:
            state["audience"] = Audience.member(user.name, user.groups)
        elif self.settings.require_login and not _open_path(request.url.path):
            response = self._login_first(request)
            if clear_cookie:
                response.headers.append("set-cookie", self.cookies.clear_header())
            return await response(scope, receive, send)

        async def send_clearing(message):
            if message["type"] == "http.response.start" and clear_cookie:
                headers = message.get("headers", [])
                # a login that answers this very request sets a fresh cookie, which must not be cleared
                if not any(k.lower() == b"set-cookie" and v.startswith(COOKIE_PREFIX) for k, v in headers):
                    headers = [*headers, (b"set-cookie", self.cookies.clear_header().encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_clearing)

    @staticmethod
    def _refuse(status: int, message: str, headers: dict | None = None) -> JSONResponse:
        return JSONResponse(
            {"detail": message}, status_code=status, headers={"WWW-Authenticate": "Bearer", **(headers or {})}
        )

    def _login_first(self, request: Request):
        if request.url.path.startswith("/api/"):
            return self._refuse(401, LOGIN_REQUIRED)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def signed_in_user(request: Request) -> str | None:
    """For templates: the name of the signed-in user, None for anonymous callers."""
    audience = getattr(request.state, "audience", None)
    return audience.user if audience is not None else None


def login_notice(request: Request) -> str:
    return getattr(request.state, "login_notice", "")

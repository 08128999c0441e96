"""What every response and every state-changing form goes through: headers, HEAD, sessions, CSRF.

Consumes raw ASGI traffic and the Settings; produces
- `protect(app, settings)`: the outermost ASGI layer (wrapping even the 500 handler) that answers HEAD
  as GET without a body, gives each browser a random session cookie, and puts the security headers
  (CSP with frame-ancestors, X-Frame-Options, nosniff, ...) on every response, errors and /docs included;
- `csrf_token(request)`: the per-session token forms carry (an itsdangerous signature of the session id);
- `CsrfDep`: a route dependency that answers 403 unless the post comes from the app's own origin
  (Origin, else Referer) and carries the session's token.
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Form, HTTPException, Request
from itsdangerous import Signer

from search_app.settings import Settings

SESSION_COOKIE = "tracuu_session"
SESSION_MAX_AGE = 90 * 24 * 3600
# Pages use no scripts at all; even if escaping ever failed, the browser would refuse to run one.
PAGE_POLICY = "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
# /docs runs Swagger UI's own script files (served from this app, no inline script).
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
)
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
CSRF_REFUSED = "Yêu cầu bị từ chối: biểu mẫu không gửi từ trang tra cứu này hoặc đã hết hạn. Hãy tải lại trang rồi thử lại."


def _session_of(cookie_header: str) -> str | None:
    try:
        jar = SimpleCookie(cookie_header)
    except Exception:  # http.cookies raises CookieError on odd input; any odd cookie is no session
        return None
    morsel = jar.get(SESSION_COOKIE)
    value = morsel.value if morsel else ""
    return value if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum() else None


def session_cookie_header(session_id: str, secure: bool) -> bytes:
    flags = f"; Max-Age={SESSION_MAX_AGE}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
    return f"{SESSION_COOKIE}={session_id}{flags}".encode("ascii")


def protect(app, settings: Settings):
    """The ASGI app that wraps `app` (see the module docstring)."""
    secure = settings.cookies_secure

    async def guarded(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        headers = dict((k.lower(), v) for k, v in scope.get("headers", []))
        session = _session_of(headers.get(b"cookie", b"").decode("latin-1"))
        fresh = session is None
        if fresh:
            session = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["session_id"] = session
        is_docs = scope.get("path", "").startswith("/docs")

        async def send_guarded(message):
            if message["type"] == "http.response.start":
                extra = [(b"content-security-policy", (DOCS_POLICY if is_docs else PAGE_POLICY).encode())]
                extra += COMMON_HEADERS
                if fresh:
                    extra.append((b"set-cookie", session_cookie_header(session, secure)))
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        *((k, v) for k, v in extra if k not in present or k == b"set-cookie"),
                    ],
                }
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}  # HEAD: the GET's headers (its length too), no body
            await send(message)

        await app(scope, receive, send_guarded)

    return guarded


def _signer(request: Request) -> Signer:
    return request.app.state.csrf_signer


def csrf_token(request: Request) -> str:
    """The token this browser's session puts in its forms."""
    return _signer(request).get_signature(request.state.session_id).decode("ascii")


def _own_origins(request: Request, settings: Settings) -> set[str]:
    if settings.public_base_url:
        parts = urlsplit(settings.public_base_url)
        return {f"{parts.scheme}://{parts.netloc}".lower()}
    # Without a configured address the origin the browser addressed is ours: a cross-site page cannot
    # make the victim's browser send another Host, and the Origin it sends names the attacking page.
    host = request.headers.get("host", "")
    return {f"{request.url.scheme}://{host}".lower()}


def _origin_of(request: Request) -> str | None:
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower()
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower()
    return None  # neither sent (privacy tools strip both): the session token alone decides


def check_csrf(request: Request, csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "") -> None:
    settings: Settings = request.app.state.settings
    origin = _origin_of(request)
    if origin is not None and origin not in _own_origins(request, settings):
        raise HTTPException(403, CSRF_REFUSED)
    if not csrf_token_field or not hmac.compare_digest(
        csrf_token_field.encode("utf-8", "replace"), csrf_token(request).encode("ascii")
    ):
        raise HTTPException(403, CSRF_REFUSED)


CsrfDep = Depends(check_csrf)


def app_secret(settings: Settings) -> str:
    """The key an app signs with (CSRF tokens, login cookies): the setting, else random for this app."""
    return settings.secret_key.get_secret_value() if settings.secret_key else secrets.token_hex(32)


def make_signer(settings: Settings, secret: str | None = None) -> Signer:
    return Signer(secret or app_secret(settings), salt="tracuu-csrf")

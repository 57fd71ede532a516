"""Security headers on every response, and requests with NUL bytes refused."""

from __future__ import annotations

from flask import Flask, Request, request

from eventapp.errors import UnusableCharacter

NUL = "\x00"

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def has_nul_byte(req: Request) -> bool:
    """A NUL anywhere in the path, the query or a form field (names and values; not uploaded files' content).
    PostgreSQL text cannot hold it, and nobody types one."""
    if NUL in req.path:
        return True
    return any(NUL in key or NUL in value for fields in (req.args, req.form)
               for key, value in fields.items(multi=True))


def init_security(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_bytes() -> None:
        if has_nul_byte(request):
            raise UnusableCharacter()

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Private links must not leak to other sites through Referer.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith(("/my/", "/admin", "/events/")) and request.method == "GET":
            headers.setdefault("Cache-Control", "no-store")
        return response

"""Error pages in both languages. (The registration forms check their own CSRF token, to show the answers
again when it is stale: see forms_common.csrf_token_refused.)"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, SecurityError

from eventapp.config import is_production

# Where a refused request means "too many registrations from your network", not "too many attempts".
REGISTRATION_ENDPOINTS = {"registration.register"}


class UnusableCharacter(BadRequest):
    """A NUL byte in the path, the query or a form value: no database column can hold it."""


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return render_template("errors/error.html", code=400, kind="csrf"), 400

    @app.errorhandler(SecurityError)
    def _unknown_host(error: SecurityError):
        """A Host this site does not answer to (TRUSTED_HOSTS). No URL can be built for it, so the page
        stands alone and points to the real address."""
        home = current_app.config.get("PUBLIC_BASE_URL") if is_production(current_app.config) else ""
        return render_template("errors/unknown_host.html", home=home), 400

    @app.errorhandler(UnusableCharacter)
    def _unusable_character(error: UnusableCharacter):
        return _page(error, "nul")

    @app.errorhandler(RateLimitExceeded)
    def _too_many(error: RateLimitExceeded):
        kind = "429-registration" if request.endpoint in REGISTRATION_ENDPOINTS else "429"
        return _page(error, kind, wait_minutes=_minutes_until_allowed(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return _page(error, str(error.code or 500))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        current_app.logger.exception("unhandled error", exc_info=error)
        from eventapp.db import db

        db.session.rollback()
        if request.path.startswith("/api/"):
            return {"error": "Internal Server Error", "status": 500}, 500
        return render_template("errors/error.html", code=500, kind="500"), InternalServerError.code


def _page(error: HTTPException, kind: str, **context):
    code = error.code or 500
    if request.path.startswith("/api/"):
        return {"error": error.name, "status": code}, code
    return render_template("errors/error.html", code=code, kind=kind, **context), code


def _minutes_until_allowed(error: RateLimitExceeded) -> int:
    """Whole minutes until the limit that refused this request lets one through again (at least 1)."""
    from eventapp.extensions import limiter

    current = limiter.current_limit
    seconds = current.reset_at - time.time() if current is not None else error.limit.limit.get_expiry()
    return max(1, math.ceil(seconds / 60))

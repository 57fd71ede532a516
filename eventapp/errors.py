"""Error pages in both languages; a stale CSRF token re-shows the form with what was typed."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

# Views that re-render their form (keeping the answers) when the CSRF token was missing or stale.
CSRF_RERENDER_ENDPOINTS = {"registration.register", "registration.edit_my_registration", "registration_admin.edit"}


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        if request.endpoint in CSRF_RERENDER_ENDPOINTS:
            g.csrf_failed = True
            return current_app.view_functions[request.endpoint](**(request.view_args or {}))
        return render_template("errors/error.html", code=400, kind="csrf"), 400

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        if request.path.startswith("/api/"):
            return {"error": error.name, "status": code}, code
        return render_template("errors/error.html", code=code, kind=str(code)), code

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

"""Small helpers shared by views (request-side only; services never import this)."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user


def public_base_url() -> str:
    return current_app.config.get("PUBLIC_BASE_URL") or request.host_url


def actor_name() -> str:
    return f"organiser:{current_user.email}" if current_user.is_authenticated else "attendee"

"""Small helpers shared by views (request-side only; services never import this)."""

from __future__ import annotations

from flask_login import current_user


def actor_name() -> str:
    return f"organiser:{current_user.email}" if current_user.is_authenticated else "attendee"

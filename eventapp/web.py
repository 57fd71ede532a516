"""Small helpers shared by views (request-side only; services never import this)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

from eventapp.db import db
from eventapp.events.models import Event, EventStatus


def public_base_url() -> str:
    return current_app.config.get("PUBLIC_BASE_URL") or request.host_url


def actor_name() -> str:
    return f"organiser:{current_user.email}" if current_user.is_authenticated else "attendee"


def with_public_event(view: Callable) -> Callable:
    """Load the event named by <slug>; drafts are visible to organisers only."""

    @wraps(view)
    def wrapped(slug: str, **kwargs: Any):
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            abort(404)
        if event.status == EventStatus.DRAFT and not (current_user.is_authenticated and current_user.is_organiser):
            abort(404)
        return view(event, **kwargs)

    return wrapped

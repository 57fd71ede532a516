"""Small helpers shared by views (request-side only; services never import this)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

from config import is_production
from eventapp.db import db
from eventapp.events.models import Event, EventStatus


def public_base_url() -> str:
    """The base of links that leave the site (e-mails). Production has PUBLIC_BASE_URL (it refuses to start
    without); only in development may it follow the request's host, which a client can set to anything."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured
    if is_production(current_app.config):
        raise RuntimeError("PUBLIC_BASE_URL is not set: links in e-mails will not follow the request's Host")
    return request.host_url


ACTOR_MAX_LENGTH = 120  # RegistrationChange.actor


def actor_name() -> str:
    name = f"organiser:{current_user.email}" if current_user.is_authenticated else "attendee"
    return name[:ACTOR_MAX_LENGTH]  # an e-mail may have 254 characters


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

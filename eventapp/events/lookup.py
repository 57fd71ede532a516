"""Loading the event a public URL names."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from eventapp.db import db
from eventapp.events.models import Event, EventStatus


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

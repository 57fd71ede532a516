"""Small helpers shared by views (request-side only; services never import this)."""

from __future__ import annotations

from flask_login import current_user

ACTOR_MAX_LENGTH = 120  # RegistrationChange.actor


def actor_name() -> str:
    name = f"organiser:{current_user.email}" if current_user.is_authenticated else "attendee"
    return name[:ACTOR_MAX_LENGTH]  # an e-mail may have 254 characters

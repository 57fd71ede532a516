"""Private links to "my registration": signed, expiring, holding only an opaque secret."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.registration.models import Registration

_SALT = "eventapp.manage-registration"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def manage_link_token(registration: Registration) -> str:
    return _serializer().dumps(registration.manage_secret)


def manage_url(registration: Registration, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/my/{manage_link_token(registration)}"


class LinkExpired(Exception):
    pass


def registration_for_link(session: Session, link_token: str) -> Registration | None:
    """The registration a private link opens; None if forged; LinkExpired if too old."""
    try:
        secret = _serializer().loads(link_token, max_age=current_app.config["MANAGE_LINK_MAX_AGE"])
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadSignature:
        return None
    return session.scalar(select(Registration).where(Registration.manage_secret == secret))

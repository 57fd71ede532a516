"""Private links to "my registration": signed, expiring, holding only an opaque secret.

The signing key and the lifetime come from the caller (the views and the mail worker read them from the
app's config), so nothing here needs Flask."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.registration.models import Registration

_SALT = "eventapp.manage-registration"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def manage_link_token(registration: Registration, *, secret_key: str) -> str:
    return _serializer(secret_key).dumps(registration.manage_secret)


def manage_url(registration: Registration, *, base_url: str, secret_key: str) -> str:
    return f"{base_url.rstrip('/')}/my/{manage_link_token(registration, secret_key=secret_key)}"


class LinkExpired(Exception):
    pass


def registration_for_link(session: Session, link_token: str, *, secret_key: str, max_age_seconds: int
                          ) -> Registration | None:
    """The registration a private link opens; None if forged; LinkExpired if too old."""
    try:
        secret = _serializer(secret_key).loads(link_token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadSignature:
        return None
    return session.scalar(select(Registration).where(Registration.manage_secret == secret))

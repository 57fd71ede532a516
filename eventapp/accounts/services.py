"""Accounts: creating users, checking passwords, and the server side of login sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from eventapp.accounts.models import LoginSession, Role, User

MIN_PASSWORD_LENGTH = 10


class AccountError(Exception):
    pass


def create_user(session: Session, *, email: str, display_name: str, password: str, role: Role) -> User:
    email = email.strip().lower()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(f"{email!r} is not a usable e-mail address: {exc}") from exc
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(f"a user with e-mail {email} exists already")
    user = User(email=email, display_name=display_name, role=role)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, *, email: str, password: str, now: datetime) -> User | None:
    user: User | None = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active_account or not user.check_password(password):
        return None
    user.last_login_at = now
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_login_session(session: Session, *, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new login session for the user; returns the token for the session cookie. The user's expired
    sessions are dropped on the way."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token), created_at=now,
                             expires_at=now + lifetime))
    session.flush()
    return token


def user_for_login_session(session: Session, *, user_id: int, token: str, now: datetime) -> User | None:
    """The user, if this token is one of theirs, has neither ended nor expired, and the account is active."""
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    if login is None or login.user_id != user_id or login.expires_at <= now:
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.is_active_account else None


def end_login_session(session: Session, *, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))

"""Accounts: creating users and checking passwords."""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eventapp.accounts.models import Role, User

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
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active_account or not user.check_password(password):
        return None
    user.last_login_at = now
    return user

"""Login wiring and the role decorators that guard views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventapp.accounts.models import Role, User
from eventapp.accounts.services import user_for_login_session
from eventapp.db import current_session, utcnow
from eventapp.extensions import login_manager

# The session cookie's key for the login session's token (see accounts.services.start_login_session).
LOGIN_SESSION_KEY = "_login_session"


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        """The cookie's user, only while its login session lives on the server (logging out ends it)."""
        token = session.get(LOGIN_SESSION_KEY)
        if not user_id.isdigit() or not isinstance(token, str):
            return None
        return user_for_login_session(current_session(), user_id=int(user_id), token=token, now=utcnow())


def _role_required(*roles: Role) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


organiser_required = _role_required(Role.ORGANISER)
staff_required = _role_required(Role.ORGANISER, Role.STAFF)

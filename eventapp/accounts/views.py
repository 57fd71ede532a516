from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from eventapp.accounts.auth import LOGIN_SESSION_KEY
from eventapp.accounts.forms import LoginForm
from eventapp.accounts.models import Role
from eventapp.accounts.services import authenticate, end_login_session, start_login_session
from eventapp.db import current_session, db, utcnow
from eventapp.extensions import limiter

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(current_session(), email=form.email.data, password=form.password.data, now=utcnow())
        if user is not None:
            token = start_login_session(current_session(), user=user, now=utcnow(),
                                        lifetime=current_app.permanent_session_lifetime)
            db.session.commit()
            login_user(user)
            session[LOGIN_SESSION_KEY] = token
            home = url_for("dashboard.index") if user.role == Role.ORGANISER else url_for("dashboard.staff_home")
            return redirect(_safe_next(home))
        form.password.errors.append(_("E-mail or password is wrong. Please check both and try again."))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    token = session.pop(LOGIN_SESSION_KEY, None)
    logout_user()
    if isinstance(token, str):
        end_login_session(current_session(), token=token)  # on the server too: a copy of the cookie is worthless now
        db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("events.index"))

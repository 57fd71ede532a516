"""Organiser dashboard: counts, charts and the latest registrations, refreshed live from a JSON feed."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request

from eventapp.accounts.auth import organiser_required, staff_required
from eventapp.dashboard import services
from eventapp.db import current_session, utcnow
from eventapp.events.models import Event
from eventapp.i18n import current_locale

bp = Blueprint("dashboard", __name__, url_prefix="/admin")

POLL_SECONDS = 10


def _chosen_event(events: list[Event]) -> Event | None:
    """The event named by ?event=<slug> (404 when there is none such), else the default one."""
    slug = request.args.get("event", "").strip()
    if not slug:
        return services.default_event(events)
    return next((e for e in events if e.slug == slug), None) or abort(404)


def _figures(event: Event) -> services.DashboardFigures:
    return services.dashboard_figures(current_session(), event, now=utcnow(), locale=current_locale())


@bp.get("/")
@organiser_required
def index():
    events = services.dashboard_events(current_session())
    event = _chosen_event(events)
    if event is None:
        return render_template("dashboard/index.html", events=events, event=None)
    figures = _figures(event)
    return render_template("dashboard/index.html", events=events, event=event, figures=figures,
                           data=figures.as_json(), poll_seconds=POLL_SECONDS)


@bp.get("/dashboard.json")
@organiser_required
def data():
    slug = request.args.get("event", "").strip()
    events = services.dashboard_events(current_session())
    event = next((e for e in events if e.slug == slug), None) if slug else services.default_event(events)
    if event is None:
        return jsonify(error="no such event", status=404), 404
    return jsonify(_figures(event).as_json())


@bp.get("/staff")
@staff_required
def staff_home():
    return render_template("dashboard/staff_home.html")

"""Organisers' check-in pages: the scanners (devices) of an event, pairing one, switching one off; its
check-in points; live arrivals and the 受付名簿 PDF; the scans flagged when uploaded from offline."""

from __future__ import annotations

import base64
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from eventapp import jobs, qr
from eventapp.accounts.auth import organiser_required
from eventapp.checkin import arrivals, organising, services
from eventapp.checkin.explanations import EXPLANATIONS
from eventapp.checkin.forms import KIND_LABELS, DeviceForm, PointForm
from eventapp.checkin.models import CheckinDevice, CheckinEntry, CheckinPoint, PointKind
from eventapp.checkin.tasks import JOB_KIND as RECEPTION_LIST_JOB
from eventapp.db import current_session, db, utcnow
from eventapp.events.models import Event
from eventapp.forms_common import ConfirmForm
from eventapp.i18n import current_locale, to_tokyo
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.web import actor_name

bp = Blueprint("checkin", __name__, url_prefix="/admin/checkin")


def _base_url() -> str:
    return current_app.config.get("PUBLIC_BASE_URL") or request.url_root


@bp.route("/events/<id:event_id>/devices", methods=["GET", "POST"])
@organiser_required
def devices(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    points = services.points_of(current_session(), event)
    if not points and request.method == "POST":  # every event has its 受付 (migration, new events); just in case
        points = [services.default_point(current_session(), event)]
    form = DeviceForm()
    form.point.choices = [(str(p.id), p.name(current_locale())) for p in points]
    if not form.is_submitted() and points:
        form.point.data = str(points[0].id)
    if form.validate_on_submit():
        point = next(p for p in points if str(p.id) == form.point.data)
        device, token = services.create_device(current_session(), event, name=form.name.data, point=point,
                                               created_by=actor_name(), now=utcnow())
        url = services.pairing_url(_base_url(), token)
        db.session.commit()
        # The token is shown this once (only its hash is kept): a page, not a redirect to one.
        page = render_template("checkin/paired.html", event=event, device=device, token=token, url=url,
                               qr_uri="data:image/png;base64," + base64.b64encode(qr.qr_png(url, box_size=6)).decode())
        return page, 200, {"Cache-Control": "no-store"}
    summary = services.arrivals_summary(current_session(), event)
    return render_template("checkin/devices.html", event=event, form=form, points=points,
                           devices=services.devices_of(current_session(), event), summary=summary,
                           open_flags=arrivals.open_flag_count(current_session(), event),
                           confirm_form=ConfirmForm()), 422 if form.errors else 200


@bp.post("/devices/<id:device_id>/revoke")
@organiser_required
def revoke(device_id: int):
    device = db.session.get(CheckinDevice, device_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    event_id = device.event_id
    services.revoke_device(current_session(), device, now=utcnow())
    db.session.commit()
    flash(_("The device has been switched off: its token no longer works."), "success")
    return redirect(url_for("checkin.devices", event_id=event_id))


# --- live arrivals ---------------------------------------------------------------------------------------

POLL_SECONDS = 10


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


def _board_json(event: Event, board: arrivals.ArrivalsBoard) -> dict[str, Any]:
    """The page's numbers for arrivals.js: the data block of the page, and what it polls."""
    locale = current_locale()
    generated = to_tokyo(board.generated_at)

    def share(row: arrivals.Share) -> dict[str, Any]:
        return {"key": row.key, "name": row.name(locale) or _("No group"), "registered": row.registered,
                "arrived": row.arrived, "percent": row.percent}

    return {
        "event": event.id,
        "generated_at": generated.isoformat(timespec="seconds"),
        "generated_at_display": generated.strftime("%H:%M:%S"),
        "registered": board.registered, "arrived": board.arrived, "inside": board.inside,
        "percent": board.percent, "open_flags": board.open_flags,
        "points": [{"code": p.code, "name": p.name(locale), "closed": p.closed, "eligible": p.eligible,
                    "arrived": p.arrived, "inside": p.inside} for p in board.points],
        "buckets": [{"start": b.start.isoformat(timespec="minutes"), "label": b.label, "counts": list(b.counts),
                     "total": b.total} for b in board.buckets],
        "earlier": board.earlier,
        "categories": [share(row) for row in board.categories],
        "groups": [share(row) for row in board.groups],
    }


@bp.get("/events/<id:event_id>/arrivals")
@organiser_required
def arrivals_page(event_id: int):
    event = _event(event_id)
    board = arrivals.arrivals_board(current_session(), event, now=utcnow())
    return render_template("checkin/arrivals.html", event=event, board=board, data=_board_json(event, board),
                           poll_seconds=current_app.config.get("ARRIVALS_POLL_SECONDS", POLL_SECONDS))


@bp.get("/events/<id:event_id>/arrivals.json")
@organiser_required
def arrivals_data(event_id: int):
    event = _event(event_id)
    board = arrivals.arrivals_board(current_session(), event, now=utcnow())
    response = jsonify(_board_json(event, board))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/events/<id:event_id>/reception-list")
@organiser_required
def reception_list_pdf(event_id: int):
    """Starts the 受付名簿 as a job (a thousand rows take seconds to render) and shows its progress page."""
    event = _event(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    confirmed = current_session().scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)) or 0
    job = jobs.start_job(current_session(), kind=RECEPTION_LIST_JOB, total=max(confirmed, 1),
                         params={"event_id": event.id}, created_by=actor_name())
    job_id = job.id
    db.session.commit()
    jobs.enqueue_job(job_id)
    return redirect(url_for("jobs.show", job_id=job_id))


# --- points ----------------------------------------------------------------------------------------------


def _categories(event: Event) -> list[tuple[str, str]]:
    locale = current_locale()
    return [(c.code.value, c.label(locale)) for c in sorted(event.categories, key=lambda c: (c.sort_order, c.id))]


def _category_choices(event: Event) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in _categories(event)]


def _settings(form: PointForm) -> organising.PointSettings:
    return organising.PointSettings(
        name_ja=form.name_ja.data, name_en=form.name_en.data or "", kind=PointKind(form.kind.data),
        allowed_categories=tuple(choice.value for choice in form.categories.choices  # in the event's order
                                 if choice.value in (form.categories.data or ())), party_only=bool(form.party_only.data),
        prints_badges=bool(form.prints_badges.data))


def _points_page(event: Event, form: PointForm, status: int = 200):
    return render_template("checkin/points.html", event=event, form=form, kind_labels=KIND_LABELS,
                           points=services.points_of(current_session(), event),
                           categories=dict(_categories(event)), confirm_form=ConfirmForm()), status


@bp.route("/events/<id:event_id>/points", methods=["GET", "POST"])
@organiser_required
def points(event_id: int):
    event = _event(event_id)
    form = PointForm()
    form.categories.choices = _category_choices(event)
    if form.validate_on_submit():
        settings = _settings(form)
        try:
            point = services.create_point(current_session(), event, code=form.code.data, name_ja=settings.name_ja,
                                          name_en=settings.name_en, kind=settings.kind,
                                          allowed_categories=list(settings.allowed_categories),
                                          party_only=settings.party_only, prints_badges=settings.prints_badges)
        except services.PointCodeTaken:
            form.code.errors.append(_("%(field)s: another point of this event already has the code %(code)s. "
                                      "Please choose another code.", field=form.code.label.text, code=form.code.data))
            return _points_page(event, form, 422)
        db.session.commit()
        flash(_("The check-in point %(name)s has been added.", name=point.name(current_locale())), "success")
        return redirect(url_for("checkin.points", event_id=event.id))
    return _points_page(event, form, 422 if form.errors else 200)


@bp.route("/points/<id:point_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_point(point_id: int):
    point = db.session.get(CheckinPoint, point_id) or abort(404)
    form = PointForm(obj=None if request.method == "POST" else point)
    del form.code  # fixed once made: devices and the CLI know the point by it
    form.categories.choices = _category_choices(point.event)
    if not form.is_submitted():
        form.kind.data = point.kind.value
        form.categories.data = point.allowed_category_codes
    if form.validate_on_submit():
        organising.update_point(current_session(), point, _settings(form))
        db.session.commit()
        flash(_("The check-in point %(name)s has been saved.", name=point.name(current_locale())), "success")
        return redirect(url_for("checkin.points", event_id=point.event_id))
    return render_template("checkin/point_edit.html", event=point.event, point=point, form=form), \
        422 if form.errors else 200


@bp.route("/points/<id:point_id>/close", methods=["GET", "POST"])
@organiser_required
def close_point(point_id: int):
    """A page that asks first (closing stops the scanners at that door), then the POST that closes."""
    point = db.session.get(CheckinPoint, point_id) or abort(404)
    form = ConfirmForm()
    if request.method == "GET" or point.closed_at is not None:
        if point.closed_at is not None:
            return redirect(url_for("checkin.points", event_id=point.event_id))
        active = [d for d in services.devices_of(current_session(), point.event)
                  if d.point_id == point.id and d.revoked_at is None]
        return render_template("checkin/point_close.html", event=point.event, point=point, devices=active,
                               form=form)
    if not form.validate_on_submit():
        abort(400)
    organising.close_point(current_session(), point, now=utcnow())
    name, event_id = point.name(current_locale()), point.event_id
    db.session.commit()
    flash(_("Check-in at %(name)s is closed: its devices are refused and clear their list at their next contact.",
            name=name), "success")
    return redirect(url_for("checkin.points", event_id=event_id))


@bp.post("/points/<id:point_id>/reopen")
@organiser_required
def reopen_point(point_id: int):
    point = db.session.get(CheckinPoint, point_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    organising.reopen_point(current_session(), point)
    name, event_id = point.name(current_locale()), point.event_id
    db.session.commit()
    flash(_("Check-in at %(name)s is open again.", name=name), "success")
    return redirect(url_for("checkin.points", event_id=event_id))


# --- flagged scans ---------------------------------------------------------------------------------------


@bp.get("/events/<id:event_id>/flags")
@organiser_required
def flags(event_id: int):
    event = _event(event_id)
    found = organising.flags_of(current_session(), event)
    return render_template("checkin/flags.html", event=event, flags=found, explanations=EXPLANATIONS,
                           open_count=sum(1 for flag in found if flag.open), confirm_form=ConfirmForm())


@bp.post("/flags/<id:entry_id>/resolve")
@organiser_required
def resolve_flag(entry_id: int):
    entry = db.session.get(CheckinEntry, entry_id) or abort(404)
    if not entry.flagged:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    event_id = entry.event_id
    organising.resolve_flag(current_session(), entry, by=actor_name(), now=utcnow())
    db.session.commit()
    flash(_("Marked as checked."), "success")
    return redirect(url_for("checkin.flags", event_id=event_id))

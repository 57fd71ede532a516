"""Organisers' check-in pages: the scanners (devices) of an event, pairing one, switching one off."""

from __future__ import annotations

import base64

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from eventapp import qr
from eventapp.accounts.auth import organiser_required
from eventapp.checkin import services
from eventapp.checkin.forms import DeviceForm
from eventapp.checkin.models import CheckinDevice
from eventapp.db import current_session, db, utcnow
from eventapp.events.models import Event
from eventapp.forms_common import ConfirmForm
from eventapp.i18n import current_locale
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

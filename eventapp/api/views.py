"""JSON API, version 1: published events (public), the OpenAPI document, and the badge a check-in point prints
on arrival. The check-in scanners' other endpoints are eventapp/checkin/api.py, under the same prefix."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, url_for
from sqlalchemy import select

from eventapp.api.openapi import openapi_document
from eventapp.badges.batch import produce_one_badge_pdf
from eventapp.badges.layouts import layout_named
from eventapp.checkin.api import device_for_request, refusal
from eventapp.checkin.services import MAX_REGISTRATION_ID
from eventapp.db import current_session, db, utcnow
from eventapp.events.models import TOKYO, Event, EventStatus
from eventapp.extensions import csrf
from eventapp.registration.models import Registration
from eventapp.registration.services import registration_window, seats_left

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.get("/events")
def events():
    now = utcnow()
    published = db.session.scalars(select(Event).where(Event.status == EventStatus.PUBLISHED)
                                   .order_by(Event.event_date)).all()
    return jsonify([
        {
            "slug": event.slug,
            "title": {"ja": event.title_ja, "en": event.title_en},
            "edition": event.edition,
            "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat(),
            "venue": event.venue_name,  # the Japanese name, as before venue_name
            "venue_name": {"ja": event.venue_name, "en": event.venue_name_en},  # "en" empty: none given
            "venue_address": {"ja": event.venue_address, "en": event.venue_address_en},
            "registration_status": registration_window(current_session(), event, now=now).value,
            # Every time in Tokyo's offset, like starts_at (the database gives them back in UTC).
            "registration_opens_at": event.registration_opens_at.astimezone(TOKYO).isoformat(),
            "registration_closes_at": event.registration_closes_at.astimezone(TOKYO).isoformat(),
            "capacity": event.capacity,
            "seats_left": seats_left(current_session(), event),
            "url": url_for("events.show", slug=event.slug, _external=True),
        }
        for event in published
    ])


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


ARRIVAL_SHEET = "card-single"  # 名刺サイズ, one badge per label: the reception's label printer


@bp.get("/events/<slug>/registrations/<int:registration_id>/badge.pdf")
def arrival_badge(slug: str, registration_id: int):
    """The badge of someone arriving at a point that prints on arrival, for the scanner to print; marks it
    printed. Only a device paired to the event, and only for that event's people."""
    device = device_for_request(slug)
    if not device.point.prints_badges:
        raise refusal(403, "no_printing")
    registration = db.session.get(Registration, registration_id) if registration_id <= MAX_REGISTRATION_ID else None
    if registration is None or registration.event_id != device.event_id:
        raise refusal(404, "not_found")
    pdf = produce_one_badge_pdf(current_session(), registration, layout=layout_named(current_session(), ARRIVAL_SHEET),
                                now=utcnow)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="badge-{registration.receipt_code}.pdf"',
        "Cache-Control": "no-store"})

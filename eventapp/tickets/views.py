"""The attendee's ticket behind the private link: QR image, ticket on the phone's screen, printable PDF."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from eventapp import qr
from eventapp.db import db
from eventapp.registration.links import LinkExpired
from eventapp.registration.models import Registration
from eventapp.registration.views import registration_behind_link
from eventapp.tickets.rendering import has_ticket, render_ticket, ticket_filename, ticket_view

bp = Blueprint("tickets", __name__)


@bp.app_context_processor
def _ticket_panel() -> dict:
    """The registration pages show each panel a feature above them offers: here, the QR code and ticket."""
    return {"registration_panels": ["tickets/_ticket_panel.html"], "has_ticket": has_ticket}


def _ticket_holder_or_404(link_token: str) -> Registration:
    """Only confirmed people have a ticket (QR code, 受付票): not the waiting list, not cancellations."""
    try:
        registration = registration_behind_link(link_token)
    except LinkExpired:
        abort(410)
    if registration is None or not has_ticket(registration):
        abort(404)
    return registration


@bp.get("/my/<link_token>/qr.png")
def qr_png(link_token: str):
    registration = _ticket_holder_or_404(link_token)
    return Response(qr.qr_png(registration.token), mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.get("/my/<link_token>/ticket")
def show(link_token: str):
    """The ticket on the phone's screen, to show at the door: the QR code big, little else."""
    registration = _ticket_holder_or_404(link_token)
    return render_template("tickets/ticket.html", registration=registration, event=registration.event,
                           link_token=link_token)


@bp.get("/my/<link_token>/ticket.pdf")
def pdf(link_token: str):
    registration = _ticket_holder_or_404(link_token)
    view, filename = ticket_view(registration), ticket_filename(registration)
    db.session.rollback()  # read everything; render with no transaction open
    return Response(render_ticket(view), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })

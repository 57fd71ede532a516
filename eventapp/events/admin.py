"""The organisers' event editor: create (from last year's settings), edit, categories and capacities."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.accounts.auth import organiser_required
from eventapp.db import current_session, db, utcnow
from eventapp.events import services
from eventapp.events.forms import EventForm
from eventapp.events.models import Event, EventStatus
from eventapp.forms_common import ConfirmForm

bp = Blueprint("events_admin", __name__)


# --- organisers ---------------------------------------------------------------------------------


@bp.get("/admin/events")
@organiser_required
def admin_list():
    events = db.session.scalars(select(Event).order_by(Event.event_date.desc())).all()
    return render_template("events/admin_list.html", events=events)


@bp.route("/admin/events/new", methods=["GET", "POST"])
@organiser_required
def admin_create():
    form = EventForm()
    if not form.is_submitted():
        latest = db.session.scalar(select(Event).order_by(Event.event_date.desc()).limit(1))
        if latest is not None:  # a new year starts from last year's settings
            form.fill_from(services.EventDetails.of(latest))
            form.slug.data = ""
            form.edition.data = latest.edition + 1
            form.fiscal_year.data = latest.fiscal_year + 1
            form.status.data = EventStatus.DRAFT.value
    if form.validate_on_submit():
        try:
            event = services.create_event(current_session(), details=form.details())
        except services.SlugTaken:
            db.session.rollback()
            form.slug.errors.append(_("Slug (URL name): another event uses it. Please choose another."))
        else:
            db.session.commit()
            flash(_("The event has been created."), "success")
            return redirect(url_for("events_admin.admin_edit", event_id=event.id))
    return render_template("events/admin_form.html", form=form, event=None), 422 if form.errors else 200


@bp.route("/admin/events/<id:event_id>/edit", methods=["GET", "POST"])
@organiser_required
def admin_edit(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    form = EventForm()
    if not form.is_submitted():
        form.fill_from(services.EventDetails.of(event))
    if form.validate_on_submit():
        try:
            services.update_event(current_session(), event, details=form.details(), now=utcnow())
        except services.SlugTaken:
            db.session.rollback()
            form.slug.errors.append(_("Slug (URL name): another event uses it. Please choose another."))
        else:
            db.session.commit()
            flash(_("The event has been saved."), "success")
            return redirect(url_for("events_admin.admin_edit", event_id=event.id))
    return render_template("events/admin_form.html", form=form, event=event,
                           confirm_form=ConfirmForm()), 422 if form.errors else 200


@bp.post("/admin/events/<id:event_id>/categories")
@organiser_required
def admin_categories(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    capacities: dict[int, tuple[int | None, bool]] = {}
    for category in event.categories:
        raw = (request.form.get(f"capacity-{category.id}") or "").strip()
        if raw and (not raw.isdigit() or int(raw) > 100000):
            flash(_("Capacity of %(category)s: enter a whole number of people, or leave it empty for no limit.",
                    category=category.label_ja), "danger")
            return redirect(url_for("events_admin.admin_edit", event_id=event.id))
        capacities[category.id] = (int(raw) if raw else None, request.form.get(f"open-{category.id}") == "on")
    try:
        services.set_category_capacities(current_session(), event, capacities=capacities, now=utcnow())
    except services.NoPublicCategory:
        db.session.rollback()
        flash(_("%(field)s: tick at least one category, or nobody can register. To stop registration, set the "
                "status to Closed instead.", field=_("Offered on the public form")), "danger")
        return redirect(url_for("events_admin.admin_edit", event_id=event.id))
    db.session.commit()
    flash(_("The categories have been saved."), "success")
    return redirect(url_for("events_admin.admin_edit", event_id=event.id))

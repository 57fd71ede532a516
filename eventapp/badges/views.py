"""Organisers' badge pages: batch printing with progress, one badge again, lost badges, sheet layouts."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from eventapp import jobs
from eventapp.accounts.auth import organiser_required
from eventapp.badges import services
from eventapp.badges.alignment_page import alignment_page_pdf
from eventapp.badges.batch import JOB_KIND, produce_one_badge_pdf, start_badge_batch
from eventapp.badges.forms import BadgeBatchForm, PrintOneBadgeForm, SheetLayoutForm
from eventapp.badges.layouts import LayoutError, LayoutSpec, all_layouts, layout_named
from eventapp.badges.models import BadgeDesign, SheetLayout
from eventapp.db import current_session, db, utcnow
from eventapp.directory.models import ExchangeGroup
from eventapp.events.models import TOKYO, Event, EventStatus
from eventapp.forms_common import ConfirmForm
from eventapp.i18n import current_locale
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.web import actor_name

bp = Blueprint("badges", __name__, url_prefix="/admin")


@bp.app_context_processor
def _registration_panel() -> dict:
    """The organiser's registration page shows the panels features above registration offer: the badge."""
    return {"organiser_registration_panels": ["badges/_registration_panel.html"],
            "badge_layouts": lambda: all_layouts(current_session())}


def _event_from_query() -> Event:
    slug = request.args.get("event")
    stmt = select(Event).order_by(Event.event_date.desc())
    stmt = stmt.where(Event.slug == slug) if slug else stmt.where(Event.status != EventStatus.DRAFT)
    event = db.session.scalar(stmt.limit(1))
    if event is None:
        abort(404)
    return event


def _batch_form(event: Event) -> BadgeBatchForm:
    form = BadgeBatchForm()
    form.categories.choices = [(c.code.value, c.label(current_locale())) for c in event.categories]
    groups = db.session.scalars(select(ExchangeGroup).order_by(ExchangeGroup.sort_key)).all()
    form.group_id.choices = [("", _("All groups")), ("0", _("No group"))] + [(str(g.id), g.name) for g in groups]
    form.sheet.choices = [(layout.name, layout.label(current_locale())) for layout in all_layouts(current_session())]
    if not form.is_submitted() and form.sheet.choices:
        form.sheet.data = layout_named(current_session(), None).name
    return form


@bp.route("/badges", methods=["GET", "POST"])
@organiser_required
def batch():
    event = _event_from_query()
    form = _batch_form(event)
    if form.validate_on_submit():
        selection = services.BadgeSelection(
            category_codes=form.categories.data or [],
            group_id=int(form.group_id.data) if form.group_id.data else None,
            not_printed_only=form.not_printed_only.data,
            registered_since=form.registered_since.data.replace(tzinfo=TOKYO) if form.registered_since.data else None,
            order=services.BadgeOrder(form.order.data))
        try:
            job = start_badge_batch(current_session(), event, selection=selection,
                                    layout=layout_named(current_session(), form.sheet.data), created_by=actor_name())
        except services.EmptyBatch:
            db.session.rollback()
            form.categories.errors.append(_("Nobody matches these choices, so there is nothing to print. "
                                            "Widen the selection (e.g. untick “Only badges not printed yet”)."))
        except LayoutError as exc:
            db.session.rollback()
            form.sheet.errors.append(_("Sheet: the labels do not fit the page (%(reason)s). Fix the layout first.",
                                       reason=str(exc)))
        else:
            job_id = job.id  # read before the commit: touching expired objects after it would reopen a transaction
            db.session.commit()
            jobs.enqueue_job(job_id)
            return redirect(url_for("jobs.show", job_id=job_id))
    confirmed = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED))
    printed = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.badge_printed_at.is_not(None)))
    events = db.session.scalars(select(Event).order_by(Event.event_date.desc())).all()
    return render_template("badges/batch.html", event=event, events=events, form=form, confirmed=confirmed,
                           printed=printed, jobs=jobs.recent_jobs(current_session(), kind=JOB_KIND)), 422 if form.errors else 200


# --- one person ----------------------------------------------------------------------------------


@bp.post("/registrations/<id:registration_id>/badge.pdf")
@organiser_required
def print_one(registration_id: int):
    registration = db.session.get(Registration, registration_id) or abort(404)
    form = PrintOneBadgeForm()
    form.sheet.choices = [(layout.name, layout.name) for layout in all_layouts(current_session())]
    if not form.validate_on_submit():
        flash(_("The form had expired. Please try again."), "warning")
        return redirect(url_for("registration_admin.show", registration_id=registration.id))
    if registration.status != RegistrationStatus.CONFIRMED:
        flash(_("Only confirmed registrations get a badge."), "danger")
        return redirect(url_for("registration_admin.show", registration_id=registration.id))
    receipt_code = registration.receipt_code
    pdf = produce_one_badge_pdf(current_session(), registration, layout=layout_named(current_session(), form.sheet.data),
                                now=utcnow)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="badge-{receipt_code}.pdf"',
        "Cache-Control": "no-store"})


@bp.post("/registrations/<id:registration_id>/reissue-badge")
@organiser_required
def reissue(registration_id: int):
    registration = db.session.get(Registration, registration_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        services.reissue_badge(current_session(), registration, now=utcnow(), actor=actor_name())
        db.session.commit()
        flash(_("A new QR code was issued. The old badge no longer works; print the new one."), "success")
    return redirect(url_for("registration_admin.show", registration_id=registration.id))


# --- sheet layouts -------------------------------------------------------------------------------


@bp.route("/badges/sheets", methods=["GET", "POST"])
@organiser_required
def sheets():
    form = SheetLayoutForm()
    if form.validate_on_submit():
        values = {name: form[name].data for name in (
            "name", "label_ja", "label_en", "page_width_mm", "page_height_mm", "label_width_mm", "label_height_mm",
            "columns", "rows", "margin_left_mm", "margin_top_mm", "pitch_x_mm", "pitch_y_mm")}
        values["label_en"] = values["label_en"] or values["label_ja"]
        try:
            services.create_layout(current_session(), design=BadgeDesign(form.design.data), **values)
        except services.LayoutNameTaken:
            db.session.rollback()
            form.name.errors.append(_("Name: another layout has this name. Please choose another."))
        except LayoutError as exc:
            db.session.rollback()
            form.label_width_mm.errors.append(_("The labels do not fit the page: %(reason)s.", reason=str(exc)))
        else:
            db.session.commit()
            flash(_("The layout has been added. Print its test page to check it against your label sheets."),
                  "success")
            return redirect(url_for("badges.sheets"))
    return render_template("badges/sheets.html", form=form, layouts=all_layouts(current_session()),
                           confirm_form=ConfirmForm()), 422 if form.errors else 200


@bp.get("/badges/sheets/<id:layout_id>/test-page.pdf")
@organiser_required
def test_page(layout_id: int):
    layout = db.session.get(SheetLayout, layout_id) or abort(404)
    spec, title = LayoutSpec.of(layout), layout.label_ja
    db.session.rollback()  # nothing to write: no transaction stays open while the PDF renders
    return Response(alignment_page_pdf(spec, title=title), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="test-page-{spec.name}.pdf"'})


@bp.post("/badges/sheets/<id:layout_id>/default")
@organiser_required
def make_default(layout_id: int):
    layout = db.session.get(SheetLayout, layout_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        services.make_default_layout(current_session(), layout)
        db.session.commit()
        flash(_("“%(name)s” is now the default layout.", name=layout.name), "success")
    return redirect(url_for("badges.sheets"))

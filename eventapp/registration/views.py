"""Public registration pages: the form, the confirmation, and "my registration" behind a private link."""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from eventapp.db import current_session, db, utcnow
from eventapp.directory.models import ExchangeGroup
from eventapp.events.calendar import event_ics
from eventapp.events.lookup import with_public_event
from eventapp.events.models import Event, RegistrationWindow
from eventapp.extensions import configured_limit, csrf, limiter
from eventapp.forms_common import ConfirmForm, csrf_token_refused
from eventapp.i18n import current_locale
from eventapp.registration import services
from eventapp.registration.errors import (
    AlreadyRegistered,
    CategoryNotOffered,
    EditingClosed,
    EmailTaken,
    NotCancellable,
    RegistrationCancelled,
    RegistrationNotOpen,
)
from eventapp.registration.forms import RegistrationForm, ResendLinkForm
from eventapp.registration.links import LinkExpired, manage_link_token, registration_for_link
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.registration.notifications import queue_link_resent
from eventapp.text import email_key

bp = Blueprint("registration", __name__)
RESEND_LIMIT = configured_limit("RESEND_RATE_LIMIT")  # nobody can make us mail an address again and again
LAST_REGISTRATION_KEY = "last_registration_id"
# Submission ids this browser was given with a form (newest last). A double-clicked form sends its id twice
# and is shown the same confirmation; an id this browser was not given (planted by another site, copied from
# another browser) is never used, so nobody can be shown someone else's registration.
ISSUED_SUBMISSION_IDS_KEY = "issued_submission_ids"
ISSUED_SUBMISSION_IDS_KEPT = 10  # forms open in several tabs at once


def registration_form_for(event: Event, *, public_only: bool = True) -> RegistrationForm:
    """The registration form with this event's categories (public ones only, unless for organisers),
    the exchange groups and the seats left per category."""
    form = RegistrationForm()
    categories = [c for c in event.categories if c.is_open or not public_only]
    groups = db.session.scalars(select(ExchangeGroup).order_by(ExchangeGroup.sort_key)).all()
    seats = {c.id: services.category_seats_left(current_session(), event, c) for c in categories}
    form.setup_choices(categories=categories, groups=groups, locale=current_locale(), seats_by_category=seats)
    return form


def _issue_submission_id() -> str:
    submission_id = secrets.token_urlsafe(24)
    kept = session.get(ISSUED_SUBMISSION_IDS_KEY, [])[-(ISSUED_SUBMISSION_IDS_KEPT - 1):]
    session[ISSUED_SUBMISSION_IDS_KEY] = [*kept, submission_id]
    return submission_id


def _issued_to_this_browser(submission_id: str | None) -> bool:
    return bool(submission_id) and submission_id in session.get(ISSUED_SUBMISSION_IDS_KEY, [])


def _page(event: Event, form: RegistrationForm, status: int = 200, **extra):
    now = utcnow()
    context = {
        "event": event,
        "form": form,
        "window": services.registration_window(current_session(), event, now=now),
        "seats_left": services.seats_left(current_session(), event),
        "Window": RegistrationWindow,
        **extra,
    }
    return render_template("registration/register.html", **context), status


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own CSRF token, to show the answers again when it is stale
@limiter.limit(configured_limit("REGISTRATION_RATE_LIMIT"), methods=["POST"])
@with_public_event
def register(event: Event):
    form = registration_form_for(event)
    token_refused = csrf_token_refused(form)  # before anything is done with what was sent
    submission_is_ours = _issued_to_this_browser(form.submission_id.data)
    if not submission_is_ours:  # a new form, or an id this browser was not given: never shown back
        form.submission_id.data = _issue_submission_id()
    if token_refused:  # shown again with a submission id this browser has, so that sending it again works
        flash(_("The form had expired (or was opened in another tab). Your answers are kept: "
                "please check them and send the form again."), "warning")
        return _page(event, form, status=400)
    if not form.is_submitted():
        return _page(event, form)
    if not form.validate():
        return _page(event, form, status=422)
    if not submission_is_ours:
        flash(_("This form was not opened in this browser, or too long ago. Your answers are kept: "
                "please check them and send the form again."), "warning")
        return _page(event, form, status=400)
    try:
        outcome = services.register(
            current_session(), event, answers=form.answers(locale=current_locale()), now=utcnow(), submission_id=form.submission_id.data,
        )
    except RegistrationNotOpen as exc:
        db.session.rollback()
        return _page(event, form, status=409, refused=exc.window)
    except CategoryNotOffered:  # closed by the organisers since the form was checked
        db.session.rollback()
        form.category.errors = [_("%(field)s: please choose one of the options shown.",
                                  field=form.category.label.text)]
        return _page(event, form, status=422)
    except AlreadyRegistered:
        db.session.rollback()
        return render_template("registration/already_registered.html", event=event,
                               resend_form=ResendLinkForm(email=form.email.data)), 409
    db.session.commit()
    session[LAST_REGISTRATION_KEY] = outcome.registration.id
    return redirect(url_for("registration.registered", slug=event.slug))


@bp.get("/events/<slug>/register/done")
@with_public_event
def registered(event: Event):
    registration_id = session.get(LAST_REGISTRATION_KEY)
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        return redirect(url_for("registration.register", slug=event.slug))
    return render_template(
        "registration/registered.html", event=event, registration=registration,
        manage_token=private_link_token(registration),
        waitlist_position=services.waitlist_position(current_session(), registration),
    )


@bp.route("/events/<slug>/resend-link", methods=["GET", "POST"])
@limiter.limit(RESEND_LIMIT, methods=["POST"])
@with_public_event
def resend_link(event: Event):
    form = ResendLinkForm()
    if form.validate_on_submit():
        registration = db.session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.email_key == email_key(form.email.data)))
        if registration is not None:
            queue_link_resent(current_session(), registration)
            db.session.commit()
        flash(_("If this address is registered, we have sent the link to it. Please check your mail "
                "(and the spam folder)."), "success")
        return redirect(url_for("events.show", slug=event.slug))
    return render_template("registration/resend_link.html", event=event, form=form)


# --- my registration ---------------------------------------------------------------------------


def private_link_token(registration: Registration) -> str:
    return manage_link_token(registration, secret_key=current_app.config["SECRET_KEY"])


def registration_behind_link(link_token: str) -> Registration | None:
    """The registration a private link opens (None if forged; LinkExpired if too old)."""
    return registration_for_link(current_session(), link_token, secret_key=current_app.config["SECRET_KEY"],
                                 max_age_seconds=current_app.config["MANAGE_LINK_MAX_AGE"])


def _registration_or_410(link_token: str) -> Registration:
    try:
        registration = registration_behind_link(link_token)
    except LinkExpired:
        abort(410)
    if registration is None:
        abort(404)
    return registration


@bp.get("/my/<link_token>")
def my_registration(link_token: str):
    registration = _registration_or_410(link_token)
    return render_template(
        "registration/my_registration.html", registration=registration, event=registration.event,
        link_token=link_token, now=utcnow(), form=ConfirmForm(),
        waitlist_position=services.waitlist_position(current_session(), registration),
        answers=services.RegistrationAnswers.of(registration),
    )


@bp.route("/my/<link_token>/edit", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own CSRF token, to show the answers again when it is stale
def edit_my_registration(link_token: str):
    registration = _registration_or_410(link_token)
    event = registration.event
    if registration.status == RegistrationStatus.CANCELLED:
        return _cancelled_cannot_be_changed(link_token)
    if utcnow() >= event.effective_edit_deadline:  # say so now, not after the form has been filled in
        flash(_("Changes are no longer possible. Please contact the organisers."), "danger")
        return redirect(url_for("registration.my_registration", link_token=link_token))
    form = registration_form_for(event)
    # The 参加区分 is not the attendee's to change (organisers do it): the field stays, fixed to its value.
    form.category.choices = [(registration.category.code.value, registration.category.label(current_locale()))]
    form.category.data = registration.category.code.value
    if not form.is_submitted():
        form.fill_from(services.RegistrationAnswers.of(registration))
    context = {"registration": registration, "event": event, "form": form, "link_token": link_token,
               "now": utcnow()}
    if csrf_token_refused(form):  # before anything is done with what was sent
        flash(_("The form had expired. Your answers are kept: please send them again."), "warning")
        return render_template("registration/edit.html", **context), 400
    if form.is_submitted():
        if not form.validate():
            return render_template("registration/edit.html", **context), 422
        answers = form.answers(locale=registration.locale)
        answers.category_code = registration.category.code.value
        try:
            services.update_answers(current_session(), registration, answers=answers, now=utcnow(), actor="attendee")
        except RegistrationCancelled:  # cancelled in another tab while this form was open
            db.session.rollback()
            return _cancelled_cannot_be_changed(link_token)
        except EditingClosed:
            db.session.rollback()
            flash(_("Changes are no longer possible. Please contact the organisers."), "danger")
            return redirect(url_for("registration.my_registration", link_token=link_token))
        except EmailTaken:
            db.session.rollback()
            form.email.errors.append(_("E-mail: another registration uses this address. Please use another one."))
            return render_template("registration/edit.html", **context), 409
        db.session.commit()
        flash(_("Your changes have been saved."), "success")
        return redirect(url_for("registration.my_registration", link_token=link_token))
    return render_template("registration/edit.html", **context)


def _cancelled_cannot_be_changed(link_token: str):
    flash(_("This registration has been cancelled, so it can no longer be changed. To take part after all, "
            "please register again."), "warning")
    return redirect(url_for("registration.my_registration", link_token=link_token))


@bp.route("/my/<link_token>/cancel", methods=["GET", "POST"])
def cancel_my_registration(link_token: str):
    registration = _registration_or_410(link_token)
    form = ConfirmForm()
    if form.validate_on_submit():
        if registration.status == RegistrationStatus.CANCELLED:  # sent twice: no second confirmation mail
            flash(_("This registration is already cancelled."), "warning")
            return redirect(url_for("registration.my_registration", link_token=link_token))
        try:
            services.cancel(current_session(), registration, now=utcnow(), actor="attendee")
        except NotCancellable:
            db.session.rollback()
            flash(_("The event is over; the registration can no longer be cancelled."), "danger")
            return redirect(url_for("registration.my_registration", link_token=link_token))
        db.session.commit()
        flash(_("Your registration has been cancelled. We have sent you a confirmation by e-mail."), "success")
        return redirect(url_for("registration.my_registration", link_token=link_token))
    return render_template("registration/cancel.html", registration=registration, event=registration.event,
                           form=form, link_token=link_token)


@bp.post("/my/<link_token>/resend")
@limiter.limit(RESEND_LIMIT)
def resend_my_link(link_token: str):
    registration = _registration_or_410(link_token)
    if ConfirmForm().validate_on_submit():
        queue_link_resent(current_session(), registration)
        db.session.commit()
        flash(_("We have sent the link to %(email)s again.", email=registration.email), "success")
    return redirect(url_for("registration.my_registration", link_token=link_token))


@bp.get("/my/<link_token>/calendar.ics")
def my_calendar(link_token: str):
    registration = _registration_or_410(link_token)
    return _ics_response(registration.event, registration.locale)


def _ics_response(event: Event, locale: str) -> Response:
    body = event_ics(event, locale=locale, url=url_for("events.show", slug=event.slug, _external=True))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'})


@bp.get("/events/<slug>/calendar.ics")
@with_public_event
def event_calendar(event: Event):
    return _ics_response(event, current_locale())

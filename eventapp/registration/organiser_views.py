"""Organisers' registration pages: the list (search, filters, sort), a registration's page with its
history and mail, edit / cancel / restore, exports (CSV, Excel; large ones as a job) and the import (CSV or
Excel, as a job)."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from eventapp import jobs
from eventapp.accounts.auth import organiser_required
from eventapp.db import current_session, db, utcnow
from eventapp.directory.industries import industry_name
from eventapp.directory.models import ExchangeGroup
from eventapp.events.models import Event, EventStatus
from eventapp.extensions import csrf
from eventapp.forms_common import ConfirmForm, csrf_token_refused
from eventapp.i18n import current_locale
from eventapp.mail.models import OutboxMessage
from eventapp.registration import services
from eventapp.registration.admin_forms import ImportForm
from eventapp.registration.columns import IMPORT_COLUMNS
from eventapp.registration.errors import CategoryNotOffered, EmailTaken
from eventapp.registration.exports import (
    EXPORT_FORMATS,
    count_for_export,
    export_filename,
    export_registrations,
)
from eventapp.registration.history import history
from eventapp.registration.importer import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, template_file
from eventapp.registration.models import Registration, RegistrationStatus
from eventapp.registration.queries import (
    NO_GROUP,
    SORTS,
    RegistrationFilters,
    company_ordered_ids,
    ordered_statement,
    registrations_in_order,
    status_counts,
)
from eventapp.registration.tasks import ImportRefused, start_registration_export, start_registration_import
from eventapp.registration.views import registration_form_for
from eventapp.tabular import CONTENT_TYPES
from eventapp.web import actor_name, page_arg, paginate, paginate_ids

bp = Blueprint("registration_admin", __name__, url_prefix="/admin")
MAX_ID = 2**31 - 1  # larger ids cannot exist (and SQLite refuses to compare with them)


# --- choosing the event and reading the filters ----------------------------------------------------


def _all_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.event_date.desc(), Event.id.desc())))


def _chosen_event(events: list[Event]) -> Event | None:
    """`?event=<slug>`; else the latest event that is not a draft (else the latest draft)."""
    slug = request.args.get("event", "").strip()
    if slug:
        return next((e for e in events if e.slug == slug), None) or abort(404)
    return next((e for e in events if e.status != EventStatus.DRAFT), events[0] if events else None)


def _filters() -> RegistrationFilters:
    args = request.args
    return RegistrationFilters.clean(q=args.get("q"), category=args.get("category"), status=args.get("status"),
                                     group=args.get("group"))


def _groups() -> list[ExchangeGroup]:
    return list(db.session.scalars(select(ExchangeGroup).order_by(ExchangeGroup.sort_key)))


def _registration_or_404(registration_id: int) -> Registration:
    if registration_id > MAX_ID:
        abort(404)
    return db.session.get(Registration, registration_id) or abort(404)


# --- the list --------------------------------------------------------------------------------------


@bp.get("/registrations")
@organiser_required
def index():
    events = _all_events()
    event = _chosen_event(events)
    if event is None:
        return render_template("registration/admin_list.html", events=[], event=None)
    filters = _filters()
    sort = request.args.get("sort", "kana")
    sort = sort if sort in SORTS else "kana"
    if sort == "company":
        result = paginate_ids(company_ordered_ids(current_session(), event, filters=filters),
                              lambda ids: registrations_in_order(current_session(), ids), page=page_arg())
    else:
        result = paginate(ordered_statement(event, filters=filters, sort=sort), page=page_arg())
    return render_template(
        "registration/admin_list.html", events=events, event=event, filters=filters, sort=sort, result=result,
        counts=status_counts(current_session(), event), groups=_groups(), NO_GROUP=NO_GROUP,
    )


@bp.route("/registrations/export.<fmt>", methods=["GET", "POST"])
@organiser_required
def export(fmt: str):
    """GET: the file at once, unless the list is longer than EXPORT_JOB_THRESHOLD; then a page that offers to
    make it in the background. POST (from that page): a job, whatever the length."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    event = _chosen_event(_all_events()) or abort(404)
    filters = _filters()
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        job = start_registration_export(current_session(), event, fmt=fmt, filters=filters, created_by=actor_name())
        job_id = job.id  # read before the commit: touching expired objects after it would reopen a transaction
        db.session.commit()
        jobs.enqueue_job(job_id)
        return redirect(url_for("jobs.show", job_id=job_id))
    count = count_for_export(current_session(), event, filters=filters)
    if count > current_app.config["EXPORT_JOB_THRESHOLD"]:
        return render_template("registration/admin_export_job.html", event=event, fmt=fmt, count=count,
                               filters=filters, form=form)
    data, _count = export_registrations(current_session(), event, fmt=fmt, filters=filters)
    filename = export_filename(event, fmt, now=utcnow())
    return Response(data, content_type=CONTENT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- one registration ------------------------------------------------------------------------------


@bp.get("/registrations/<id:registration_id>")
@organiser_required
def show(registration_id: int):
    registration = _registration_or_404(registration_id)
    group_names = {g.id: g.name for g in _groups()}
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
                                  .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    return render_template(
        "registration/admin_detail.html", registration=registration, event=registration.event,
        waitlist_position=services.waitlist_position(current_session(), registration), messages=messages,
        history=history(registration.changes, event=registration.event, group_names=group_names,
                        locale=current_locale()),
        form=ConfirmForm(), industry_name=industry_name,
    )


@bp.route("/registrations/<id:registration_id>/edit", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own CSRF token, to show the answers again when it is stale
@organiser_required
def edit(registration_id: int):
    registration = _registration_or_404(registration_id)
    form = registration_form_for(registration.event, public_only=False)
    if not form.is_submitted():
        form.fill_from(services.RegistrationAnswers.of(registration))
    context = {"registration": registration, "event": registration.event, "form": form}
    if csrf_token_refused(form):  # before anything is done with what was sent
        flash(_("The form had expired (or was opened in another tab). The answers are kept: please check them "
                "and save again."), "warning")
        return render_template("registration/admin_edit.html", **context), 400
    if not form.validate_on_submit():
        return render_template("registration/admin_edit.html", **context), 422 if form.is_submitted() else 200
    try:
        changed = services.update_answers(
            current_session(), registration, answers=form.answers(locale=registration.locale), now=utcnow(),
            actor=actor_name(), by_organiser=True)
    except EmailTaken:
        db.session.rollback()
        form.email.errors.append(_("E-mail: another registration of this event uses this address. "
                                   "Please use another one."))
        return render_template("registration/admin_edit.html", **context), 409
    except CategoryNotOffered:
        db.session.rollback()
        form.category.errors.append(_("Attendance category: this category is not offered for this event. "
                                      "Please choose another."))
        return render_template("registration/admin_edit.html", **context), 409
    db.session.commit()
    if changed:
        flash(_("The changes have been saved."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("registration_admin.show", registration_id=registration.id))


@bp.route("/registrations/<id:registration_id>/cancel", methods=["GET", "POST"])
@organiser_required
def cancel(registration_id: int):
    registration = _registration_or_404(registration_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("registration/admin_cancel.html", registration=registration,
                               event=registration.event, form=form)
    if registration.status == RegistrationStatus.CANCELLED:
        flash(_("This registration was already cancelled."), "info")
        return redirect(url_for("registration_admin.show", registration_id=registration.id))
    promoted = services.cancel(current_session(), registration, now=utcnow(), actor=actor_name(), by_organiser=True)
    db.session.commit()
    flash(_("The registration has been cancelled and the person told by e-mail."), "success")
    if promoted:
        flash(ngettext("%(num)d person moved up from the waiting list and was told by e-mail.",
                       "%(num)d people moved up from the waiting list and were told by e-mail.",
                       len(promoted)), "info")
    return redirect(url_for("registration_admin.show", registration_id=registration.id))


@bp.post("/registrations/<id:registration_id>/restore")
@organiser_required
def restore(registration_id: int):
    registration = _registration_or_404(registration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if registration.status != RegistrationStatus.CANCELLED:
        flash(_("This registration is not cancelled."), "info")
        return redirect(url_for("registration_admin.show", registration_id=registration.id))
    services.restore(current_session(), registration, now=utcnow(), actor=actor_name())
    db.session.commit()
    if registration.status == RegistrationStatus.CONFIRMED:
        flash(_("The cancellation has been undone: the registration is confirmed again."), "success")
    else:
        flash(_("The cancellation has been undone. The event is full, so the person is now on the waiting list."),
              "warning")
    return redirect(url_for("registration_admin.show", registration_id=registration.id))


# --- import ----------------------------------------------------------------------------------------


@bp.route("/registrations/import", methods=["GET", "POST"])
@organiser_required
def import_csv():
    """Upload: a file that cannot be imported is refused here; its lines are checked and registered by a job."""
    events = _all_events()
    event = _chosen_event(events) or abort(404)
    form = ImportForm()
    context = {"events": events, "event": event, "form": form, "columns": IMPORT_COLUMNS, "report": None,
               "max_mb": MAX_IMPORT_BYTES // (1024 * 1024), "max_rows": MAX_IMPORT_ROWS}
    if not form.validate_on_submit():
        return render_template("registration/admin_import.html", **context), 422 if form.is_submitted() else 200
    upload = form.file.data
    try:
        job = start_registration_import(
            current_session(), event, data=upload.read(MAX_IMPORT_BYTES + 1), filename=upload.filename or "",
            files_dir=Path(current_app.config["JOB_FILES_DIR"]), created_by=actor_name(), actor=actor_name(),
            locale=current_locale(), notify=form.notify.data,
            assume_privacy_consent=form.assume_privacy_consent.data)
    except ImportRefused as exc:
        db.session.rollback()
        return render_template("registration/admin_import.html", **{**context, "report": exc.report}), 422
    job_id = job.id  # read before the commit: touching expired objects after it would reopen a transaction
    db.session.commit()
    jobs.enqueue_job(job_id)
    return redirect(url_for("jobs.show", job_id=job_id))


@bp.get("/registrations/import/template.<any(csv, xlsx):fmt>")
@organiser_required
def import_template(fmt: str):
    return Response(template_file(fmt), content_type=CONTENT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="registrations-template.{fmt}"'})

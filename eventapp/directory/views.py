"""Exchange groups and member companies (organisers): lists, editors, import (CSV or Excel, as a job) and
export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventapp import jobs
from eventapp.accounts.auth import organiser_required
from eventapp.db import current_session, db
from eventapp.directory import exports, importer, services
from eventapp.directory.forms import CompanyForm, DeleteForm, GroupForm, ImportForm
from eventapp.directory.industries import industries, industry
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.directory.tasks import start_directory_import
from eventapp.i18n import current_locale
from eventapp.tabular import CONTENT_TYPES
from eventapp.web import actor_name, page_arg, paginate

bp = Blueprint("directory", __name__, url_prefix="/admin")

MAX_QUERY_LENGTH = 100
MAX_ID = 2**31 - 1  # larger numbers in a URL name nothing (and would overflow the database's integers)


def _row_or_404(model: type, row_id: int) -> Any:
    row = db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None
    return row or abort(404)


def _file_response(data: bytes, filename: str) -> Response:
    return Response(data, content_type=CONTENT_TYPES[filename.rsplit(".", 1)[1]],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _render_form(template: str, form: Any, **context: Any):
    return render_template(template, form=form, **context), 422 if form.errors else 200


# --- groups ------------------------------------------------------------------------------------


@bp.get("/groups")
@organiser_required
def groups():
    return render_template("directory/groups.html", rows=services.groups_with_member_counts(current_session()))


@bp.route("/groups/new", methods=["GET", "POST"])
@organiser_required
def new_group():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = services.create_group(current_session(), details=form.details())
        except services.DirectoryError as exc:
            db.session.rollback()
            _group_error(form, exc)
        else:
            db.session.commit()
            flash(_("The group “%(name)s” has been added.", name=group.name), "success")
            return redirect(url_for("directory.group", group_id=group.id))
    return _render_form("directory/group_form.html", form, group=None)


@bp.route("/groups/<id:group_id>", methods=["GET", "POST"])
@organiser_required
def group(group_id: int):
    group = _row_or_404(ExchangeGroup, group_id)
    form = GroupForm()
    if not form.is_submitted():
        form.fill_from(services.GroupDetails.of(group))
    if form.validate_on_submit():
        try:
            services.update_group(current_session(), group, details=form.details())
        except services.DirectoryError as exc:
            db.session.rollback()
            _group_error(form, exc)
        else:
            db.session.commit()
            flash(_("The group has been saved."), "success")
            return redirect(url_for("directory.group", group_id=group.id))
    return _render_form("directory/group_form.html", form, group=group, delete_form=DeleteForm())


@bp.post("/groups/<id:group_id>/delete")
@organiser_required
def delete_group(group_id: int):
    group = _row_or_404(ExchangeGroup, group_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    name = group.name
    try:
        services.delete_group(current_session(), group)
    except services.GroupNotEmpty as exc:
        db.session.rollback()
        flash(_("This group still has %(n)d member companies. Move them to another group or delete them first.",
                n=exc.members), "danger")
        return redirect(url_for("directory.group", group_id=group_id))
    db.session.commit()
    flash(_("The group “%(name)s” has been deleted.", name=name), "success")
    return redirect(url_for("directory.groups"))


def _group_error(form: GroupForm, error: services.DirectoryError) -> None:
    if isinstance(error, services.NameTaken):
        form.name.errors.append(_("%(field)s: another group has this name. Please choose another.",
                                  field=form.name.label.text))
    else:
        form.reading.errors.append(_("%(field)s: please write the reading in katakana or hiragana.",
                                     field=form.reading.label.text))


# --- companies ---------------------------------------------------------------------------------


def _filters() -> services.CompanyFilters:
    code = request.args.get("industry", "").strip().upper()
    group_id = request.args.get("group", type=int)
    return services.CompanyFilters(
        query=request.args.get("q", "")[:MAX_QUERY_LENGTH],
        group_id=group_id if group_id and 0 < group_id <= MAX_ID else None,
        industry_code=code if industry(code) else "",
    )


@bp.get("/companies")
@organiser_required
def companies():
    filters = _filters()
    result = paginate(services.companies_statement(filters), page=page_arg())
    locale = current_locale()
    return render_template("directory/companies.html", result=result, filters=filters,
                           groups=services.all_groups(current_session()), industries=industries(),
                           industry_names={i.code: i.name(locale) for i in industries()})


def _company_form(*, preselect_group: int | None = None) -> CompanyForm:
    form = CompanyForm()
    form.setup_choices(groups=services.all_groups(current_session()), locale=current_locale())
    if preselect_group and not form.is_submitted():
        form.group_ids.data = [preselect_group]
    return form


@bp.route("/companies/new", methods=["GET", "POST"])
@organiser_required
def new_company():
    form = _company_form(preselect_group=_filters().group_id)
    if form.validate_on_submit():
        try:
            company = services.create_company(current_session(), details=form.details())
        except services.DirectoryError as exc:
            db.session.rollback()
            _company_error(form, exc)
        else:
            db.session.commit()
            flash(_("The company “%(name)s” has been added.", name=company.name), "success")
            return redirect(url_for("directory.company", company_id=company.id))
    return _render_form("directory/company_form.html", form, company=None)


@bp.route("/companies/<id:company_id>", methods=["GET", "POST"])
@organiser_required
def company(company_id: int):
    company = _row_or_404(Company, company_id)
    form = _company_form()
    if not form.is_submitted():
        form.fill_from(services.CompanyDetails.of(company))
    if form.validate_on_submit():
        try:
            services.update_company(current_session(), company, details=form.details())
        except services.DirectoryError as exc:
            db.session.rollback()
            _company_error(form, exc)
        else:
            db.session.commit()
            flash(_("The company has been saved."), "success")
            return redirect(url_for("directory.company", company_id=company.id))
    return _render_form("directory/company_form.html", form, company=company, delete_form=DeleteForm())


@bp.post("/companies/<id:company_id>/delete")
@organiser_required
def delete_company(company_id: int):
    company = _row_or_404(Company, company_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    name = company.name
    services.delete_company(current_session(), company)
    db.session.commit()
    flash(_("The company “%(name)s” has been deleted.", name=name), "success")
    return redirect(url_for("directory.companies"))


def _company_error(form: CompanyForm, error: services.DirectoryError) -> None:
    if isinstance(error, services.NameTaken):
        form.name.errors.append(_("%(field)s: another company has this name. Please check the list.",
                                  field=form.name.label.text))
    elif isinstance(error, services.InvalidReading):
        form.reading.errors.append(_("%(field)s: please write the reading in katakana or hiragana.",
                                     field=form.reading.label.text))
    elif isinstance(error, services.UnknownIndustry):
        form.industry_code.errors.append(_("%(field)s: please choose one of the options.",
                                           field=form.industry_code.label.text))
    else:  # GroupRequired, UnknownGroup: a group was deleted while the form was open
        form.group_ids.errors.append(_("%(field)s: please tick at least one group from the list.",
                                       field=form.group_ids.label.text))


# --- import and export ------------------------------------------------------------------------

_KINDS = {
    "groups": {
        "title": _l("Import exchange groups"), "columns": importer.GROUP_COLUMNS,
        "template": "directory.groups_template", "list": "directory.groups",
    },
    "companies": {
        "title": _l("Import companies"), "columns": importer.COMPANY_COLUMNS,
        "template": "directory.companies_template", "list": "directory.companies",
    },
}


def _import(kind: str):
    """Upload: a file that cannot be read is refused here; its rows are checked and written by a job."""
    spec = _KINDS[kind]
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = start_directory_import(current_session(), kind=kind, data=upload.read(), filename=upload.filename or "",
                                         files_dir=Path(current_app.config["JOB_FILES_DIR"]),
                                         created_by=actor_name(), locale=current_locale())
        except importer.ImportFileError as exc:
            db.session.rollback()
            form.file.errors.append(exc.message)
        else:
            job_id = job.id  # read before the commit: touching expired objects after it would reopen a transaction
            db.session.commit()
            jobs.enqueue_job(job_id)
            return redirect(url_for("jobs.show", job_id=job_id))
    return render_template("directory/import.html", form=form, kind=kind, spec=spec), 422 if form.errors else 200


@bp.route("/groups/import", methods=["GET", "POST"])
@organiser_required
def import_groups():
    return _import("groups")


@bp.route("/companies/import", methods=["GET", "POST"])
@organiser_required
def import_companies():
    return _import("companies")


@bp.get("/groups/template.<any(csv, xlsx):fmt>")
@organiser_required
def groups_template(fmt: str):
    return _file_response(exports.groups_template(fmt), f"groups-template.{fmt}")


@bp.get("/companies/template.<any(csv, xlsx):fmt>")
@organiser_required
def companies_template(fmt: str):
    return _file_response(exports.companies_template(fmt), f"companies-template.{fmt}")


@bp.get("/groups.csv")
@organiser_required
def export_groups():
    return _file_response(exports.groups_csv(current_session()), "groups.csv")


@bp.get("/companies.csv")
@organiser_required
def export_companies():
    return _file_response(exports.companies_csv(current_session()), "companies.csv")

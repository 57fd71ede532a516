"""Exchange groups and companies (organisers). To be completed."""

from flask import Blueprint, render_template

from eventapp.accounts.auth import organiser_required

bp = Blueprint("directory", __name__, url_prefix="/admin")


@bp.get("/groups")
@organiser_required
def groups():
    return render_template("dashboard/placeholder.html")


@bp.get("/companies")
@organiser_required
def companies():
    return render_template("dashboard/placeholder.html")

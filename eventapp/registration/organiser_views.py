"""Organisers' registration list, detail, exports and import. To be completed."""

from flask import Blueprint, render_template

from eventapp.accounts.auth import organiser_required

bp = Blueprint("registration_admin", __name__, url_prefix="/admin")


@bp.get("/registrations")
@organiser_required
def index():
    return render_template("dashboard/placeholder.html")

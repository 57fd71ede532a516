"""Organiser dashboard (counts, chart, live list). To be completed."""

from __future__ import annotations

from flask import Blueprint, render_template

from eventapp.accounts.auth import organiser_required, staff_required

bp = Blueprint("dashboard", __name__, url_prefix="/admin")


@bp.get("/")
@organiser_required
def index():
    return render_template("dashboard/index.html")


@bp.get("/staff")
@staff_required
def staff_home():
    return render_template("dashboard/staff_home.html")

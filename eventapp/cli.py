"""`flask --app eventapp ...` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from eventapp.db import db, utcnow

users_cli = AppGroup("users", help="Organiser and staff accounts.")
registrations_cli = AppGroup("registrations", help="Registrations of an event.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(["organiser", "staff"]), default="organiser", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email: str, display_name: str, role: str, password: str) -> None:
    """Create an account: organiser (事務局) or staff (受付)."""
    from eventapp.accounts.models import Role
    from eventapp.accounts.services import AccountError, create_user

    try:
        user = create_user(db.session, email=email, display_name=display_name, password=password, role=Role(role))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email}")


@registrations_cli.command("export")
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write; .csv (UTF-8 with BOM, for Excel) or .xlsx by its suffix.")
def export_registrations_command(slug: str, out: Path) -> None:
    """Export an event's registrations to CSV or Excel."""
    from eventapp.events.models import Event
    from eventapp.registration.exports import EXPORT_FORMATS, export_registrations

    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"no event with slug {slug!r}")
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in EXPORT_FORMATS:
        raise click.ClickException(f"unknown format {out.suffix!r}: use .csv or .xlsx")
    data, count = export_registrations(db.session, event, fmt=suffix)
    out.write_bytes(data)
    click.echo(f"wrote {count} registrations to {out}")


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete everything and build the demo again.")
def demo_command(reset: bool) -> None:
    """Create (idempotently) a published demo event with groups, companies and registrations."""
    from eventapp.db import write_transactions
    from eventapp.demo import DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD, build_demo

    with write_transactions():  # SQLite: take the write lock at BEGIN, so a running worker cannot interleave
        summary = build_demo(db.session, reset=reset, now=utcnow())
        db.session.commit()
    click.echo(summary)
    click.echo(f"organiser login: {DEMO_ORGANISER_EMAIL} / {DEMO_ORGANISER_PASSWORD}")


@click.command("worker")
@click.option("--workers", default=2, show_default=True)
def worker_command(workers: int) -> None:
    """Run background work (mail delivery, PDF jobs)."""
    from flask import current_app

    from eventapp import jobs

    if jobs.huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run in the web process, no worker needed")
    jobs.init_app(current_app._get_current_object())
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()


def init_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(registrations_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)

"""`flask --app eventapp ...` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from eventapp.db import current_session, db, utcnow

users_cli = AppGroup("users", help="Organiser and staff accounts.")
badges_cli = AppGroup("badges", help="Name badges (名札): batch PDFs, sheet layouts, test pages.")
registrations_cli = AppGroup("registrations", help="Registrations of an event.")
devices_cli = AppGroup("devices", help="Check-in (受付) scanners: pair, list, switch off.")


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
        user = create_user(current_session(), email=email, display_name=display_name, password=password, role=Role(role))
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
    data, count = export_registrations(current_session(), event, fmt=suffix)
    out.write_bytes(data)
    click.echo(f"wrote {count} registrations to {out}")


UPGRADE_COMMAND = "flask --app eventapp db upgrade"


def _database_ready_for_demo() -> str | None:
    """A database without any table is migrated first (there is nothing to lose); one whose schema is behind
    the code is refused with the command that brings it up to date. Returns what was done, if anything."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask import current_app
    from flask_migrate import upgrade
    from sqlalchemy import inspect

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
        tables = inspect(connection).get_table_names()
    if current == heads:
        return None
    if not tables:
        upgrade()
        db.engine.dispose()  # forget connections opened before the tables existed
        return f"The database had no tables: migrated it to the latest schema ({', '.join(sorted(heads))})."
    if not current:
        raise click.ClickException(
            "The database has tables but no migration history (alembic_version), so it cannot be upgraded "
            "safely: point DATABASE_URL at a new, empty database and run `flask --app eventapp demo` again.")
    raise click.ClickException(
        f"The database schema is older than this code (database at revision {', '.join(sorted(current))}, "
        f"code at {', '.join(sorted(heads))}). Run `{UPGRADE_COMMAND}` first, then `flask --app eventapp demo` again.")


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete everything and build the demo again.")
def demo_command(reset: bool) -> None:
    """Create (idempotently) a published demo event with groups, companies and registrations.

    A database without tables is migrated first."""
    from eventapp.db import write_transactions
    from eventapp.demo import (
        DEMO_ORGANISER_EMAIL,
        DEMO_ORGANISER_PASSWORD,
        build_demo,
        demo_event_slug,
    )

    migrated = _database_ready_for_demo()
    if migrated:
        click.echo(migrated)
    with write_transactions():  # SQLite: take the write lock at BEGIN, so a running worker cannot interleave
        summary = build_demo(current_session(), reset=reset, now=utcnow())
        db.session.commit()
    click.echo(summary)
    click.echo(f"organiser login: {DEMO_ORGANISER_EMAIL} / {DEMO_ORGANISER_PASSWORD}")
    click.echo(f"door scanner: `flask --app eventapp devices create --event {demo_event_slug(utcnow())} --name 受付-1` "
               "prints a pairing link (or add a device on the event's check-in devices page)")


@click.command("worker")
@click.option("--workers", default=2, show_default=True)
def worker_command(workers: int) -> None:
    """Run background work (mail delivery, PDF jobs)."""
    from flask import current_app

    from eventapp import jobs
    from eventapp.mail import tasks  # noqa: F401  (the worker runs mail delivery and its periodic retries)

    if jobs.huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run in the web process, no worker needed")
    jobs.init_app(current_app._get_current_object())  # type: ignore[attr-defined]  # the app behind the proxy
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()


@badges_cli.command("pdf")
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF to write.")
@click.option("--sheet", default=None, help="Sheet layout name (see `badges sheets`); default: the default layout.")
@click.option("--category", "categories", multiple=True, help="Only this 参加区分 code (member, exhibitor, ...); repeatable.")
@click.option("--not-printed", is_flag=True, help="Only badges not printed yet.")
@click.option("--order", type=click.Choice(["gojuon", "company", "group", "receipt"]), default="gojuon", show_default=True)
def badges_pdf_command(slug: str, out: Path, sheet: str | None, categories: tuple[str, ...], not_printed: bool,
                       order: str) -> None:
    """Badges of an event's confirmed registrations as one PDF, with a progress bar."""
    from eventapp.badges.batch import produce_badges_pdf
    from eventapp.badges.layouts import LayoutError, UnknownSheet, layout_named
    from eventapp.badges.services import BadgeOrder, BadgeSelection, EmptyBatch, select_for_badges
    from eventapp.db import write_transactions
    from eventapp.events.models import Event

    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"no event with slug {slug!r}")
    try:
        layout = layout_named(current_session(), sheet)
    except UnknownSheet as exc:
        raise click.ClickException(str(exc)) from exc
    selection = BadgeSelection(category_codes=list(categories), not_printed_only=not_printed, order=BadgeOrder(order))
    total = len(select_for_badges(current_session(), event, selection))
    if total == 0:
        raise click.ClickException("nobody matches: no badges to print (no PDF written)")
    db.session.rollback()
    try:
        with write_transactions(), click.progressbar(length=total, label=f"{total} badges on {layout.name}") as bar:
            prepared = produce_badges_pdf(current_session(), event, selection=selection, layout=layout, out_path=out,
                                          now=utcnow, progress=bar.update)
    except LayoutError as exc:
        raise click.ClickException(f"sheet {layout.name!r} does not fit its page: {exc}") from exc
    except EmptyBatch as exc:
        raise click.ClickException("nobody matches: no badges to print (no PDF written)") from exc
    for warning in prepared.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"wrote {len(prepared.badges)} badges to {out}")


@badges_cli.command("sheets")
def badges_sheets_command() -> None:
    """List the sheet layouts."""
    from eventapp.badges.layouts import all_layouts

    for layout in all_layouts(current_session()):
        default = " (default)" if layout.is_default else ""
        click.echo(f"{layout.name:<16} {layout.columns}×{layout.rows} of {layout.label_width_mm:g}×"
                   f"{layout.label_height_mm:g} mm on {layout.page_width_mm:g}×{layout.page_height_mm:g} mm"
                   f"  {layout.label_ja}{default}")


@badges_cli.command("test-page")
@click.option("--sheet", required=True, help="Sheet layout name.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def badges_test_page_command(sheet: str, out: Path) -> None:
    """A page with the cut lines of a sheet layout, to align label stock in the printer."""
    from eventapp.badges.alignment_page import alignment_page_pdf
    from eventapp.badges.layouts import LayoutError, LayoutSpec, UnknownSheet, layout_named

    try:
        layout = layout_named(current_session(), sheet)
        out.write_bytes(alignment_page_pdf(LayoutSpec.of(layout), title=layout.label_ja))
    except (UnknownSheet, LayoutError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote the test page of {layout.name} to {out}")


def _event_by_slug(slug: str):
    from eventapp.events.models import Event

    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"no event with slug {slug!r}")
    return event


@devices_cli.command("create")
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--name", required=True, help="What the device is called on the organisers' page, e.g. 受付-1.")
@click.option("--point", "point_code", default=None, help="Check-in point code; default: the event's 受付 (reception).")
def devices_create_command(slug: str, name: str, point_code: str | None) -> None:
    """Pair a new scanner: prints its pairing URL and, on the last line, its token (shown only now)."""
    from flask import current_app

    from eventapp.checkin import services
    from eventapp.db import write_transactions
    from eventapp.mail.tasks import DEVELOPMENT_BASE_URL

    with write_transactions():
        event = _event_by_slug(slug)
        point = services.point_named(current_session(), event, point_code)
        if point is None:
            known = ", ".join(p.code for p in services.points_of(current_session(), event))
            raise click.ClickException(f"no check-in point {point_code!r} for {slug} (points: {known})")
        try:
            device, token = services.create_device(current_session(), event, name=name, point=point,
                                                   created_by="cli", now=utcnow())
        except services.DeviceNameInvalid as exc:
            raise click.ClickException(
                f"the name must have 1 to {services.DEVICE_NAME_MAX_LENGTH} characters") from exc
        point_label, device_id = f"{point.code} ({point.name_ja})", device.id
        db.session.commit()
    base = current_app.config.get("PUBLIC_BASE_URL") or DEVELOPMENT_BASE_URL
    click.echo(f"device {device_id} {name!r} at {point_label} of {slug}")
    click.echo(f"pairing URL: {services.pairing_url(base, token)}")
    click.echo("token (shown only now; only its hash is kept):")
    click.echo(token)


@devices_cli.command("list")
@click.option("--event", "slug", required=True, help="The event's slug.")
def devices_list_command(slug: str) -> None:
    """The scanners of an event."""
    from eventapp.checkin import services

    for device in services.devices_of(current_session(), _event_by_slug(slug)):
        state = f"revoked {device.revoked_at:%Y-%m-%d %H:%M}Z" if device.revoked_at else "active"
        click.echo(f"{device.id:>5} {device.name:<20} {device.point.code:<12} {state}")


@devices_cli.command("revoke")
@click.option("--id", "device_id", required=True, type=int)
def devices_revoke_command(device_id: int) -> None:
    """Switch a scanner off: its token stops working at once."""
    from eventapp.checkin import services
    from eventapp.checkin.models import CheckinDevice
    from eventapp.db import write_transactions

    with write_transactions():
        device = db.session.get(CheckinDevice, device_id)
        if device is None:
            raise click.ClickException(f"no device {device_id}")
        services.revoke_device(current_session(), device, now=utcnow())
        db.session.commit()
    click.echo(f"revoked device {device_id}")


def init_cli(app: Flask) -> None:
    app.cli.add_command(devices_cli)
    app.cli.add_command(badges_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(registrations_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)

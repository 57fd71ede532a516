"""eventapp: the system that runs the 東京都異業種交流グループ合同交流会."""

from __future__ import annotations

from typing import Any

from flask import Flask

from eventapp.config import (
    INSTANCE_DIR,
    MIGRATIONS_DIR,
    PROXY_FIX_SETTINGS,
    config_for_environment,
    resolve_settings,
)


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))  # templates/ and static/ inside the package
    register_config(app, config)
    register_form_encoding(app)
    register_proxy(app)
    register_extensions(app)
    register_i18n(app)
    register_security(app)
    register_jobs_and_mail(app)
    register_feature_hooks()
    register_routing(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


def register_config(app: Flask, config: dict[str, Any] | type | None) -> None:
    app.config.from_object(config_for_environment())
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    resolve_settings(app.config)


def register_proxy(app: Flask) -> None:
    """Behind proxies, believe their X-Forwarded-* headers (client address, scheme, host), as many as
    configured: PROXY_FIX_X_FOR=1 with one proxy in front. Off by default, so a client cannot forge them."""
    counts = {name: app.config[name] for name in PROXY_FIX_SETTINGS}
    if any(counts.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=counts["PROXY_FIX_X_FOR"],  # type: ignore[method-assign]
                                x_proto=counts["PROXY_FIX_X_PROTO"], x_host=counts["PROXY_FIX_X_HOST"],
                                x_port=counts["PROXY_FIX_X_PORT"], x_prefix=counts["PROXY_FIX_X_PREFIX"])


def register_form_encoding(app: Flask) -> None:
    """Before the extensions: its check runs ahead of CSRF's, which reads the form."""
    from eventapp.form_encoding import init_form_encoding

    init_form_encoding(app)


def register_extensions(app: Flask) -> None:
    from eventapp import models  # noqa: F401  (every model on the metadata)
    from eventapp.db import db
    from eventapp.extensions import csrf, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)

    from eventapp.accounts.auth import init_login

    init_login(app)


def register_i18n(app: Flask) -> None:
    from eventapp.i18n import init_i18n
    from eventapp.phrases import init_phrases

    init_i18n(app)
    init_phrases(app)


def register_security(app: Flask) -> None:
    from eventapp.security import init_security

    init_security(app)


def register_jobs_and_mail(app: Flask) -> None:
    from eventapp import jobs
    from eventapp.badges import tasks as badge_tasks  # noqa: F401  (registers its kind of job)
    from eventapp.checkin import tasks as checkin_tasks  # noqa: F401  (the 受付名簿)
    from eventapp.directory import tasks as directory_tasks  # noqa: F401  (the group and company imports)
    from eventapp.mail.services import install_delivery_hook
    from eventapp.mail.tasks import schedule_outbox_delivery
    from eventapp.registration import tasks as registration_tasks  # noqa: F401  (the import, large exports)

    jobs.init_app(app)
    install_delivery_hook(schedule_outbox_delivery)


def register_feature_hooks() -> None:
    """Features react to what happens below them through hooks wired here, never by importing upwards."""
    from eventapp.checkin.services import listen_to_event_changes as give_new_events_a_checkin_point
    from eventapp.registration.notifications import register_composers
    from eventapp.registration.services import listen_to_event_changes
    from eventapp.tickets.mail import register_ticket_attachments

    listen_to_event_changes()
    give_new_events_a_checkin_point()
    register_composers()
    register_ticket_attachments()


def register_routing(app: Flask) -> None:
    from eventapp.routing import init_routing

    init_routing(app)


def register_blueprints(app: Flask) -> None:
    from eventapp.accounts.views import bp as accounts_bp
    from eventapp.api.views import bp as api_bp
    from eventapp.badges.views import bp as badges_bp
    from eventapp.checkin.api import bp as checkin_api_bp
    from eventapp.checkin.scanner_views import bp as scanner_bp
    from eventapp.checkin.views import bp as checkin_bp
    from eventapp.dashboard.views import bp as dashboard_bp
    from eventapp.directory.views import bp as directory_bp
    from eventapp.events.admin import bp as events_admin_bp
    from eventapp.jobs.views import bp as jobs_bp
    from eventapp.mail.views import bp as mail_bp
    from eventapp.registration.event_pages import bp as event_pages_bp
    from eventapp.registration.organiser_views import bp as registration_admin_bp
    from eventapp.registration.views import bp as registration_bp
    from eventapp.tickets.views import bp as tickets_bp

    for blueprint in (event_pages_bp, events_admin_bp, registration_bp, accounts_bp, dashboard_bp, directory_bp,
                      registration_admin_bp, badges_bp, tickets_bp, jobs_bp, mail_bp, api_bp, checkin_bp,
                      checkin_api_bp, scanner_bp):
        app.register_blueprint(blueprint)


def register_errors(app: Flask) -> None:
    from eventapp.errors import init_errors

    init_errors(app)


def register_cli(app: Flask) -> None:
    from eventapp.cli import init_cli

    init_cli(app)

"""eventapp: the system that runs the 東京都異業種交流グループ合同交流会."""

from __future__ import annotations

from typing import Any

from flask import Flask

from config import PROJECT_ROOT, PROXY_FIX_SETTINGS, config_for_environment, resolve_settings


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    register_config(app, config)
    register_proxy(app)
    register_extensions(app)
    register_i18n(app)
    register_security(app)
    register_jobs_and_mail(app)
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


def register_extensions(app: Flask) -> None:
    from eventapp import models  # noqa: F401  (every model on the metadata)
    from eventapp.db import db
    from eventapp.extensions import csrf, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)

    from eventapp.accounts.auth import init_login

    init_login(app)


def register_i18n(app: Flask) -> None:
    from eventapp.i18n import init_i18n

    init_i18n(app)


def register_security(app: Flask) -> None:
    from eventapp.security import init_security

    init_security(app)


def register_jobs_and_mail(app: Flask) -> None:
    from eventapp import jobs
    from eventapp.mail.services import install_delivery_hook

    jobs.init_app(app)
    install_delivery_hook(jobs.schedule_outbox_delivery)


def register_routing(app: Flask) -> None:
    from eventapp.routing import init_routing

    init_routing(app)


def register_blueprints(app: Flask) -> None:
    from eventapp.accounts.views import bp as accounts_bp
    from eventapp.api.views import bp as api_bp
    from eventapp.badges.views import bp as badges_bp
    from eventapp.dashboard.views import bp as dashboard_bp
    from eventapp.directory.views import bp as directory_bp
    from eventapp.events.views import bp as events_bp
    from eventapp.mail.views import bp as mail_bp
    from eventapp.registration.organiser_views import bp as registration_admin_bp
    from eventapp.registration.views import bp as registration_bp

    for blueprint in (events_bp, registration_bp, accounts_bp, dashboard_bp, directory_bp,
                      registration_admin_bp, badges_bp, mail_bp, api_bp):
        app.register_blueprint(blueprint)


def register_errors(app: Flask) -> None:
    from eventapp.errors import init_errors

    init_errors(app)


def register_cli(app: Flask) -> None:
    from eventapp.cli import init_cli

    init_cli(app)

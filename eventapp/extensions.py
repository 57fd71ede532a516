"""Extension objects, created unbound; create_app() binds them."""

from collections.abc import Callable

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
migrate = Migrate()


def configured_limit(key: str) -> Callable[[], str]:
    """A rate limit read from the configuration at each request, e.g. REGISTRATION_RATE_LIMIT."""
    return lambda: current_app.config[key]

"""The app as gunicorn serves it, plus one bench-only route: the baseline of bench/checkin_api.py.

    gunicorn 'bench.bare_app:create_app()'

POST /bench/bare answers `{"status": "ok"}` with jsonify and does nothing else: no token, no body, no
database. It is registered on the real app, so it passes through everything every request of the app
passes through (the before/after-request hooks: security headers and CSP, language, session, host check,
CSRF exemption), in the same gunicorn with the same workers. What the check-in endpoint costs above it is
its own work: the device lookup, parsing and checking the scan, the queries and the commit, the answer.
Never registered by eventapp itself: only a process started from this factory has the route.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify

import eventapp
from eventapp.extensions import csrf

BARE_PATH = "/bench/bare"


def create_app() -> Flask:
    app = eventapp.create_app()

    def bare() -> Response:
        return jsonify({"status": "ok"})

    app.add_url_rule(BARE_PATH, "bench_bare", bare, methods=["GET", "POST"])
    csrf.exempt(bare)  # a scanner's POST carries a bearer token, no CSRF token: the same as the check-in API
    return app

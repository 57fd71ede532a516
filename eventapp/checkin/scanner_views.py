"""The door scanner (受付スキャナー): a PWA served under /scan/, signed in by its device token, not a login.

The token arrives in the pairing URL's fragment (/scan/pair#<token>), which browsers never send: the page's
script keeps it and calls the JSON API (eventapp/checkin/api.py) with it. These views serve only the app
shell, its service worker and its manifest; they read nothing from the database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for

from eventapp.security import CONTENT_SECURITY_POLICY

bp = Blueprint("scanner", __name__, url_prefix="/scan")

# zxing-wasm compiles its WebAssembly decoder: only the scanner's pages may do that.
# The badge PDF printed on arrival is shown in a frame from a blob: URL.
SCANNER_CSP = (CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
               + "; frame-src 'self' blob:")
SHELL_FILES = (
    "css/scanner.css",
    "vendor/fonts/eventapp-gothic.css",
    "js/scanner/main.js",
    "js/scanner/i18n.js",
    "js/scanner/api.js",
    "js/scanner/store.js",
    "js/scanner/camera.js",
    "js/scanner/feedback.js",
    "js/scanner/kana.js",
    "vendor/zxing-wasm/es/reader/index.js",
    "vendor/zxing-wasm/es/share.js",
    "vendor/zxing-wasm/reader/zxing_reader.wasm",
)


def _shell_version() -> str:
    """Changes whenever a file of the shell does, so browsers install the new service worker (its bytes
    differ) and it replaces the cached shell."""
    digest = hashlib.sha256()
    static = Path(current_app.static_folder or "static")
    for path in (*(static / name for name in SHELL_FILES), Path(__file__).parent.parent / "templates/checkin/scanner.html"):
        stat = path.stat() if path.exists() else None
        digest.update(f"{path.name}:{stat.st_mtime_ns if stat else 0}:{stat.st_size if stat else 0};".encode())
    return "scanner-" + digest.hexdigest()[:16]


def _page() -> Response:
    response = current_app.make_response(render_template("checkin/scanner.html"))
    response.headers["Content-Security-Policy"] = SCANNER_CSP
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def app_page() -> Response:
    return _page()


@bp.get("/pair")
def pair() -> Response:
    """The pairing URL's page: the same app, which finds the token in the fragment."""
    return _page()


@bp.get("/sw.js")
def service_worker() -> Response:
    shell = [url_for("scanner.app_page"), *(url_for("static", filename=name) for name in SHELL_FILES)]
    body = render_template("checkin/scanner_sw.js", version=_shell_version(), shell=shell)
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/scan/"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    body = current_app.json.dumps({
        "name": "受付スキャナー / Door scanner",
        "short_name": "受付",
        "start_url": url_for("scanner.app_page"),
        "scope": url_for("scanner.app_page"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#111111",
        "theme_color": "#111111",
        "lang": "ja",
        "icons": [{"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    })
    return current_app.response_class(body, mimetype="application/manifest+json")

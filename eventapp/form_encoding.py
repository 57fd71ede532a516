"""Form and query values must be UTF-8 text. Werkzeug keeps bytes that are not as `%FF` text (or drops a
whole raw body), which would then be stored as if someone had typed it: such a request is refused instead,
with a 400 that names the field. Browsers never send this for our pages; a hand-made request can."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, render_template, request
from flask_babel import gettext as _

URLENCODED = "application/x-www-form-urlencoded"


def fields_not_utf8(encoded: bytes) -> list[str]:
    """Names of the fields in a query string or urlencoded body whose name or value is not UTF-8."""
    names = []
    for pair in encoded.split(b"&"):
        raw_name, _sep, raw_value = pair.partition(b"=")
        name, value = (unquote_to_bytes(part.replace(b"+", b" ")) for part in (raw_name, raw_value))
        try:
            name.decode("utf-8")
            value.decode("utf-8")
        except UnicodeDecodeError:
            names.append(name.decode("utf-8", "replace"))
    return names


def _refuse_text_not_utf8():
    names = fields_not_utf8(request.query_string)
    if request.mimetype == URLENCODED:
        names += fields_not_utf8(request.get_data(cache=True))  # cached: the form is parsed from it afterwards
    if not names:
        return None
    fields = ", ".join(dict.fromkeys(names))
    message = _("These fields were not sent as UTF-8 text and cannot be read: %(fields)s. Please type them "
                "again and send the form from the page itself.", fields=fields)
    if request.path.startswith("/api/"):
        return {"error": message, "status": 400}, 400
    return render_template("errors/not_utf8.html", message=message), 400


def init_form_encoding(app: Flask) -> None:
    """Runs before every other check (CSRF included), so a raw body is read here once and then parsed."""
    app.before_request(_refuse_text_not_utf8)

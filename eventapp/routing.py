"""URL converters of the whole app. Every row id in a URL is an `<id:...>`: it only matches what a database
can hold, so an absurd id is a 404 before any view runs, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError

# Primary keys are INTEGER columns: PostgreSQL's int4 holds up to 2**31-1 (SQLAlchemy casts the parameter
# to it, so a larger one is an error, not "no such row"); SQLite's integers end at 2**63-1.
MAX_ID = 2**31 - 1


class IdConverter(BaseConverter):
    """1 … MAX_ID, written without leading zeros or sign. Longer digit strings never reach int()."""

    regex = r"[1-9][0-9]{0,9}"
    weight = 50  # as werkzeug's number converters: tried before strings
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_routing(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter

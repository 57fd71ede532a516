"""The scanners' JSON API: check-ins and the search for people without their code.

Authenticated by the device's bearer token (never by a session cookie), so exempt from CSRF. Every answer
is JSON, in the language the device asks for (Accept-Language: ja, the default, or en). The contract is
the OpenAPI document at /api/v1/openapi.json (eventapp/api/openapi.py).
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import force_locale
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import RequestEntityTooLarge

from eventapp.checkin import services, walkins
from eventapp.checkin.explanations import EXPLANATIONS
from eventapp.checkin.models import CheckinDevice, CheckinEntry, Direction
from eventapp.db import current_session, db, utcnow
from eventapp.events.models import TOKYO
from eventapp.extensions import configured_limit, csrf, limiter
from eventapp.registration.models import Registration

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_BODY_BYTES = 4096  # a scan is about 150 bytes


def _limit_key() -> str:
    """Per device (the hash of its token): staff behind one venue wifi share an address. Requests without a
    token, or with one that names no device, share their address's budget: otherwise every made-up token
    would get a budget of its own."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token and services.is_device_token(current_session(), token):
        return "device:" + services.hash_token(token)
    return "address:" + (request.remote_addr or "")


# One budget per device for everything it asks, here and elsewhere (the badge on arrival, eventapp/api).
device_rate_limit = limiter.shared_limit(configured_limit("CHECKIN_RATE_LIMIT"), scope="checkin-device",
                                         key_func=_limit_key)
device_rate_limit(bp)


def _locale() -> str:
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "ja"


def _explain(key: str | None) -> str:
    with force_locale(_locale()):
        return str(EXPLANATIONS.get(key, EXPLANATIONS["invalid_request"]))


def _error(status: int, reason: str, **extra: Any) -> Response:
    db.session.rollback()
    response = jsonify({"status": "error", "reason": reason, "explanation": _explain(reason), **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="checkin"'
    return response


class _Refusal(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@bp.app_errorhandler(_Refusal)  # app-wide: the badge on arrival (eventapp/api) authenticates devices too
def _refused(refusal: _Refusal) -> Response:
    return refusal.response


@bp.errorhandler(services.DeviceRefused)  # switched off while the request was on its way
def _device_refused(refused: services.DeviceRefused) -> Response:
    return _error(401, refused.reason)


@bp.errorhandler(services.CheckinClosed)  # closed while the request was on its way
def _closed(_: services.CheckinClosed) -> Response:
    return _error(410, "checkin_closed")


@bp.errorhandler(services.NonceReused)
def _nonce_reused(_: services.NonceReused) -> Response:
    return _error(409, "nonce_reused")


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded) -> Response:
    """Also the answer of eventapp/api's badge on arrival."""
    return _error(429, "rate_limited")  # the limiter adds Retry-After


def _paired_device() -> CheckinDevice:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        return services.device_for_token(current_session(), token.strip() if scheme.lower() == "bearer" else None)
    except services.DeviceRefused as refused:
        raise _Refusal(_error(401, refused.reason)) from refused


def device_for_request(slug: str) -> CheckinDevice:
    """The device behind the request's bearer token, paired to this event, with check-in open at its point;
    otherwise the answer (401, 403, 410) is raised."""
    device = _paired_device()
    if device.event.slug != slug:
        raise _Refusal(_error(403, "forbidden_event"))
    if services.checkin_closed(device.point, device.event, now=utcnow()):
        raise _Refusal(_error(410, "checkin_closed"))
    return device


_device = device_for_request


def refusal(status: int, reason: str) -> _Refusal:
    """An error answer to raise from a view elsewhere that authenticates with device_for_request."""
    return _Refusal(_error(status, reason))


def _json_body() -> object:
    # The stream was opened (with the app's MAX_CONTENT_LENGTH) by the checks before the view: measure here.
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise _Refusal(_error(413, "too_large"))
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge as exc:
        raise _Refusal(_error(413, "too_large")) from exc
    if len(raw) > MAX_BODY_BYTES:  # sent without a Content-Length
        raise _Refusal(_error(413, "too_large"))
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested beyond reason
        raise _Refusal(_error(400, "malformed_json")) from exc


def _time(value: Any) -> str | None:
    return value.astimezone(TOKYO).isoformat() if value is not None else None


def _attendee(registration: Registration | None) -> dict[str, Any] | None:
    if registration is None:
        return None
    return {
        "registration_id": registration.id,
        "name": registration.full_name,
        "furigana": registration.full_kana,
        "company": registration.company_name,
        "category": registration.category.label(_locale()),
        "category_code": registration.category.code.value,
        "group": registration.group.name if registration.group else None,
        "receipt_code": registration.receipt_code,
        "attends_party": registration.attends_party,
    }


def _first(entry: CheckinEntry | None) -> dict[str, Any]:
    return {"first_checked_in_at": _time(entry.scanned_at) if entry else None,
            "first_device": entry.device.name if entry else None}


def _prints_badge(device: CheckinDevice, outcome: services.ScanOutcome) -> bool:
    registration = outcome.registration
    return (device.point.prints_badges and outcome.ok and outcome.entry.direction == Direction.IN
            and registration is not None and registration.badge_printed_at is None)


def _answer(outcome: services.ScanOutcome, device: CheckinDevice) -> dict[str, Any]:
    entry = outcome.entry
    welcome = None if entry.direction == Direction.IN else "checked_out"
    key = welcome if outcome.ok else outcome.reason
    prints = _prints_badge(device, outcome)
    return {
        "status": "ok" if outcome.ok else "error",
        "reason": outcome.reason,
        "explanation": _explain(key),
        "direction": entry.direction.value,
        "attendee": _attendee(outcome.registration),
        **_first(outcome.first_entry),
        "point": {"code": device.point.code, "name": device.point.name(_locale())},
        "entry_id": entry.id,
        "recorded_at": _time(entry.recorded_at),
        "replayed": outcome.replayed,
        "flagged": entry.flagged,
        "print_badge": prints,
        "badge_url": url_for("api.arrival_badge", slug=device.event.slug, registration_id=entry.registration_id)
        if prints else None,
    }


@bp.post("/events/<slug>/checkins")
def check_in(slug: str):
    device = _device(slug)
    payload = _json_body()
    now = utcnow()
    try:
        scan = services.parse_scan(payload, event=device.event, now=now)
    except services.InvalidScan as invalid:
        return _error(422, "invalid_request", errors=[{"field": p.field, "problem": p.problem}
                                                      for p in invalid.problems])
    outcome = services.record_scan(current_session(), device, scan, now=now)
    answer = _answer(outcome, device)
    db.session.commit()
    return jsonify(answer)


@bp.get("/events/<slug>/checkins/search")
def search(slug: str):
    device = _device(slug)
    query = request.args.get("q", "")
    if not query:  # only spaces: no words, no results
        return _error(422, "invalid_request", errors=[{"field": "q", "problem": "missing"}])
    if len(query) > services.SEARCH_QUERY_MAX_LENGTH:
        return _error(422, "invalid_request", errors=[{"field": "q", "problem": "too_long"}])
    hits = services.search_attendees(current_session(), device.event, query, point=device.point)
    answer = {"results": [{
        "registration_id": hit.registration.id,
        "registration_status": hit.registration.status.value,
        "attendee": _attendee(hit.registration),
        "inside": hit.inside,
        **_first(hit.first_entry),
    } for hit in hits], "limit": services.SEARCH_LIMIT}
    db.session.commit()  # ends the read (on PostgreSQL, the transaction) once the answer is built
    return jsonify(answer)


@bp.get("/device")
def whoami():
    """What the scanner shows and offers: its name, event, point (closed or not) and the categories a walk-in
    may choose. 401 for a token that is unknown or switched off."""
    device = _paired_device()
    event, point, locale = device.event, device.point, _locale()
    answer = {
        "device": {"id": device.id, "name": device.name},
        "event": {"slug": event.slug, "title": event.title(locale), "event_date": event.event_date.isoformat()},
        "point": {"code": point.code, "name": point.name(locale), "kind": point.kind.value,
                  "prints_badges": point.prints_badges,
                  "closed": services.checkin_closed(point, event, now=utcnow())},
        "categories": [{"code": c.code.value, "label": c.label(locale)}
                       for c in services.walk_in_categories(point, event)],
        "undo_window_seconds": int(services.UNDO_WINDOW.total_seconds()),
        "server_time": _time(utcnow()),
    }
    db.session.commit()
    return jsonify(answer)


@bp.post("/events/<slug>/checkins/<id:entry_id>/undo")
def undo(slug: str, entry_id: int):
    device = _device(slug)
    entry = services.entry_of_device(current_session(), device, entry_id)
    if entry is None:
        return _error(404, "not_found")
    try:
        entry = services.undo_scan(current_session(), device, entry, now=utcnow())
    except services.UndoRefused:
        return _error(200, "cannot_undo", entry_id=entry_id)
    answer = {"status": "ok", "reason": None, "explanation": _explain("undone"), "entry_id": entry.id,
              "attendee": _attendee(entry.registration)}
    db.session.commit()
    return jsonify(answer)


@bp.get("/events/<slug>/roster")
def roster(slug: str):
    device = _device(slug)
    since = request.args.get("since")
    now = utcnow()
    db.session.commit()  # the roster is read in a transaction of its own, one snapshot
    result = services.roster(current_session(), device, since=since[:100] if since else None, now=now)
    answer = {"cursor": result.cursor, "full": result.full, "server_time": _time(now), "people": [{
        "registration_id": person.registration.id,
        "code_hashes": person.code_hashes,
        "retired_code_hashes": person.retired_code_hashes,
        "status": person.registration.status.value,
        "admissible": person.refusal is None,
        "reason": person.refusal.value if person.refusal else None,
        "attendee": _attendee(person.registration),
        "inside": person.inside,
        **_first(person.first_entry),
        "search": person.search_text,
    } for person in result.people]}
    db.session.commit()
    response = jsonify(answer)
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] and response.content_length and response.content_length > 1024:
        # The whole roster is ~0.8 kB a person over venue wifi; gzip makes it about a fifth.
        response.set_data(gzip.compress(response.get_data(), compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    return response


@bp.post("/events/<slug>/walkins")
def walk_in(slug: str):
    device = _device(slug)
    payload = _json_body()
    if not isinstance(payload, dict):
        return _error(422, "invalid_request", errors=[{"field": "body", "problem": "not_an_object", "message": ""}])
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not services.NONCE_PATTERN.match(nonce):
        return _error(422, "invalid_request", errors=[{"field": "nonce", "problem": "malformed", "message": ""}])
    now = utcnow()
    with force_locale(_locale()):
        try:
            form = walkins.read_walk_in(payload, device)
            outcome = walkins.register_walk_in(current_session(), device, form, nonce=nonce, now=now)
        except walkins.WalkInRefused as refused:
            return _error(422, "invalid_request", errors=[
                {"field": e.field, "problem": e.problem, "message": e.message} for e in refused.errors])
    answer = _answer(outcome, device)
    db.session.commit()
    return jsonify(answer)

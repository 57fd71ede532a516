"""The scanners' JSON API: check-ins and the search for people without their code.

Authenticated by the device's bearer token (never by a session cookie), so exempt from CSRF. Every answer
is JSON, in the language the device asks for (Accept-Language: ja, the default, or en). The contract is
the OpenAPI document at /api/v1/openapi.json (eventapp/api/openapi.py).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import force_locale
from werkzeug.exceptions import RequestEntityTooLarge

from eventapp.checkin import services
from eventapp.checkin.explanations import EXPLANATIONS
from eventapp.checkin.models import CheckinDevice, CheckinEntry, Direction
from eventapp.db import current_session, db, utcnow
from eventapp.events.models import TOKYO
from eventapp.extensions import csrf
from eventapp.registration.models import Registration

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_BODY_BYTES = 4096  # a scan is about 150 bytes


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


@bp.errorhandler(_Refusal)
def _refused(refusal: _Refusal) -> Response:
    return refusal.response


def _device(slug: str) -> CheckinDevice:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        device = services.device_for_token(current_session(), token.strip() if scheme.lower() == "bearer" else None)
    except services.DeviceRefused as refused:
        raise _Refusal(_error(401, refused.reason)) from refused
    if device.event.slug != slug:
        raise _Refusal(_error(403, "forbidden_event"))
    return device


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


def _answer(outcome: services.ScanOutcome, device: CheckinDevice) -> dict[str, Any]:
    entry = outcome.entry
    welcome = None if entry.direction == Direction.IN else "checked_out"
    key = welcome if outcome.ok else outcome.reason
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
    try:
        outcome = services.record_scan(current_session(), device, scan, now=now)
    except services.DeviceRefused as refused:
        return _error(401, refused.reason)
    except services.NonceReused:
        return _error(409, "nonce_reused")
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
    return jsonify({"results": [{
        "registration_id": hit.registration.id,
        "registration_status": hit.registration.status.value,
        "attendee": _attendee(hit.registration),
        "inside": hit.inside,
        **_first(hit.first_entry),
    } for hit in hits], "limit": services.SEARCH_LIMIT})

"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json. tests/checkin/test_openapi.py checks
real answers against it (and runs schemathesis), so it says what the code does."""

from __future__ import annotations

from typing import Any

from eventapp.checkin.models import Direction
from eventapp.checkin.services import (
    CODE_MAX_LENGTH,
    MAX_REGISTRATION_ID,
    OFFLINE_VERDICTS,
    SEARCH_QUERY_MAX_LENGTH,
    Reason,
)
from eventapp.checkin.walkins import FIELDS as WALK_IN_FIELDS
from eventapp.events.models import CategoryCode
from eventapp.registration.models import RegistrationStatus

SCAN_REASONS = [reason.value for reason in Reason]
ERROR_REASONS = ["unauthorized", "revoked", "forbidden_event", "malformed_json", "invalid_request", "nonce_reused",
                 "too_large", "checkin_closed", "rate_limited", "not_found", "no_printing", "cannot_undo"]
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def _errors(*codes: int) -> dict[str, Any]:
    described = {
        400: "The body is not JSON (or not UTF-8), or the request has a NUL byte (`HttpError`).",
        401: "No bearer token, an unknown one, or the device was switched off (`reason`: revoked). "
             "Cookies never count.",
        403: "The device is paired with another event than the one in the path (or, for a badge, its point "
             "does not print on arrival: `no_printing`).",
        404: "No such entry of this device, or no such person of this event.",
        410: "Check-in at the device's point is closed (by an organiser, or the event's day is over): the "
             "device should forget its roster.",
        429: "Too many requests from this device (CHECKIN_RATE_LIMIT); `Retry-After` says when to try again.",
        409: "This device sent the same nonce before for another code, id or direction: nothing recorded.",
        413: "The body is over 4096 bytes.",
        422: "A field is missing, of the wrong type, too long, unreadable, or scanned_at is absurd "
             "(`errors` says which and why). Nothing was recorded.",
    }
    responses = {}
    for code in codes:
        schema: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
        if code in (400, 404, 413):  # refused before our view runs, by the app's error pages (errors.py)
            schema = {"anyOf": [schema, {"$ref": "#/components/schemas/HttpError"}]}
        responses[str(code)] = {"description": described[code], "content": {"application/json": {"schema": schema}}}
    return responses


ATTENDEE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["registration_id", "name", "furigana", "company", "category", "category_code", "group",
                 "receipt_code", "attends_party"],
    "properties": {
        "registration_id": {"type": "integer"},
        "name": {"type": "string", "description": "姓 名"},
        "furigana": {"type": "string", "description": "セイ メイ, katakana"},
        "company": {"type": "string"},
        "category": {"type": "string", "description": "参加区分, in the answer's language"},
        "category_code": {"type": "string", "enum": [c.value for c in CategoryCode]},
        "group": NULLABLE_STRING,
        "receipt_code": {"type": "string", "description": "受付番号"},
        "attends_party": {"type": "boolean", "description": "booked the 懇親会"},
    },
}

SCAN_REQUEST = {
    "type": "object",
    "description": "Exactly one of `code` (what the QR code holds) and `registration_id` (a search result).",
    "required": ["nonce", "direction", "scanned_at"],
    "oneOf": [{"required": ["code"], "not": {"required": ["registration_id"]}},
              {"required": ["registration_id"], "not": {"required": ["code"]}}],
    "properties": {
        "code": {"type": "string", "minLength": 1, "maxLength": CODE_MAX_LENGTH, "pattern": "^[!-~]+$"},
        "registration_id": {"type": "integer", "minimum": 1, "maximum": MAX_REGISTRATION_ID},
        "nonce": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                  "description": "Chosen by the device for each scan (a UUID). Sent again (a retry), the "
                                 "first answer is given again and nothing new is recorded."},
        "direction": {"type": "string", "enum": [d.value for d in Direction]},
        "scanned_at": {"type": "string", "format": "date-time",
                       "description": "The device's clock, with an offset: not over 5 minutes ahead of the "
                                      "server's, not before the event's registration opened."},
        "queued": {"type": "boolean", "default": False,
                   "description": "Sent later from the device's queue (offline), with the scan's own nonce and "
                                  "scanned_at."},
        "offline_verdict": {"type": "string", "enum": list(OFFLINE_VERDICTS),
                            "description": "Queued scans: what the device showed from its roster (green ok, "
                                           "yellow already_checked_in, red error). Where the server disagrees "
                                           "on letting the person through, the entry is flagged for the "
                                           "organisers. Without it a queued scan counts as let through."},
    },
}

SCAN_ANSWER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status", "reason", "explanation", "direction", "attendee", "first_checked_in_at", "first_device",
                 "point", "entry_id", "recorded_at", "replayed", "flagged", "print_badge", "badge_url"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "error"]},
        "reason": {"anyOf": [{"type": "null"}, {"type": "string", "enum": SCAN_REASONS}],
                   "description": "null when status is ok"},
        "explanation": {"type": "string", "description": "For the door staff, in the Accept-Language "
                                                         "language (ja, the default, or en)."},
        "direction": {"type": "string", "enum": [d.value for d in Direction]},
        "attendee": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Attendee"}],
                     "description": "null when the code names nobody of this event"},
        "first_checked_in_at": {**NULLABLE_TIME, "description": "The person's first admission at this point"},
        "first_device": {**NULLABLE_STRING, "description": "The device that admitted the person first"},
        "point": {"type": "object", "additionalProperties": False, "required": ["code", "name"],
                  "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
        "entry_id": {"type": "integer"},
        "recorded_at": {"type": "string", "format": "date-time"},
        "replayed": {"type": "boolean", "description": "true: the nonce was seen; this is the first answer again"},
        "flagged": {"type": "boolean", "description": "A queued scan the server judged otherwise than the device "
                                                      "did offline: the organisers will look at it"},
        "print_badge": {"type": "boolean", "description": "The point prints on arrival and this person's badge "
                                                          "was never printed: fetch badge_url and print it"},
        "badge_url": NULLABLE_STRING,
    },
}

ERROR = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status", "reason", "explanation"],
    "properties": {
        "status": {"const": "error"},
        "reason": {"type": "string", "enum": ERROR_REASONS},
        "explanation": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["field", "problem"],
            "properties": {"field": {"type": "string"}, "problem": {"type": "string"},
                           "message": {"type": "string", "description": "Walk-ins: names the field and says "
                                                                       "what to do, in the asked language"}}}},
        "entry_id": {"type": "integer"},
    },
}

HTTP_ERROR = {
    "type": "object",
    "additionalProperties": False,
    "required": ["error", "status"],
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
}

SEARCH_ANSWER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["results", "limit"],
    "properties": {
        "limit": {"type": "integer", "description": "At most this many results, in 五十音 order"},
        "results": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["registration_id", "registration_status", "attendee", "inside", "first_checked_in_at",
                         "first_device"],
            "properties": {
                "registration_id": {"type": "integer"},
                "registration_status": {"type": "string", "enum": [s.value for s in RegistrationStatus]},
                "attendee": {"$ref": "#/components/schemas/Attendee"},
                "inside": {"type": "boolean", "description": "at the device's point, now"},
                "first_checked_in_at": NULLABLE_TIME,
                "first_device": NULLABLE_STRING,
            }}},
    },
}

ROSTER_PERSON = {
    "type": "object", "additionalProperties": False,
    "required": ["registration_id", "code_hashes", "retired_code_hashes", "status", "admissible", "reason",
                 "attendee", "inside", "first_checked_in_at", "first_device", "search"],
    "properties": {
        "registration_id": {"type": "integer"},
        "code_hashes": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "description": "SHA-256 (hex) of the QR text: the device hashes what it scans"},
        "retired_code_hashes": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                "description": "Codes of badges re-issued since: refused as reissued"},
        "status": {"type": "string", "enum": [s.value for s in RegistrationStatus]},
        "admissible": {"type": "boolean", "description": "at this point, whatever the entries say"},
        "reason": {"anyOf": [{"type": "null"}, {"type": "string", "enum": ["cancelled", "waitlisted",
                                                                           "not_on_list"]}]},
        "attendee": {"$ref": "#/components/schemas/Attendee"},
        "inside": {"type": "boolean"},
        "first_checked_in_at": NULLABLE_TIME,
        "first_device": NULLABLE_STRING,
        "search": {"type": "string", "description": "Lower-case text with katakana readings to match typed "
                                                    "words against (turn typed ひらがな into カタカナ first)"},
    },
}

ROSTER = {
    "type": "object", "additionalProperties": False, "required": ["cursor", "full", "server_time", "people"],
    "properties": {
        "cursor": {"type": "string", "description": "Send it back as `since` for the changes after this answer"},
        "full": {"type": "boolean", "description": "true: everyone; replace what you hold. false: changes only"},
        "server_time": {"type": "string", "format": "date-time"},
        "people": {"type": "array", "items": {"$ref": "#/components/schemas/RosterPerson"}},
    },
}

DEVICE = {
    "type": "object", "additionalProperties": False,
    "required": ["device", "event", "point", "categories", "undo_window_seconds", "server_time"],
    "properties": {
        "device": {"type": "object", "required": ["id", "name"], "additionalProperties": False,
                   "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "event": {"type": "object", "required": ["slug", "title", "event_date"], "additionalProperties": False,
                  "properties": {"slug": {"type": "string"}, "title": {"type": "string"},
                                 "event_date": {"type": "string", "format": "date"}}},
        "point": {"type": "object", "additionalProperties": False,
                  "required": ["code", "name", "kind", "prints_badges", "closed"],
                  "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                 "kind": {"type": "string", "enum": ["door", "party", "room"]},
                                 "prints_badges": {"type": "boolean"}, "closed": {"type": "boolean"}}},
        "categories": {"type": "array", "items": {
            "type": "object", "required": ["code", "label"], "additionalProperties": False,
            "properties": {"code": {"type": "string", "enum": [c.value for c in CategoryCode]},
                           "label": {"type": "string"}}}},
        "undo_window_seconds": {"type": "integer"},
        "server_time": {"type": "string", "format": "date-time"},
    },
}

UNDO_ANSWER = {
    "type": "object", "additionalProperties": False, "required": ["status", "reason", "explanation", "entry_id"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "error"]},
        "reason": {"anyOf": [{"type": "null"}, {"const": "cannot_undo"}]},
        "explanation": {"type": "string"},
        "entry_id": {"type": "integer"},
        "attendee": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Attendee"}]},
    },
}

WALK_IN_REQUEST = {
    "type": "object", "required": ["nonce", "family_name", "given_name", "family_kana", "given_kana",
                                   "category_code"],
    "properties": {
        "nonce": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                  "description": "The same nonce again gives the same registration and answer"},
        **{name: {"type": "string", "maxLength": 300} for name in WALK_IN_FIELDS},
        "category_code": {"type": "string", "enum": [c.value for c in CategoryCode]},
        "family_kana": {"type": "string", "maxLength": 60, "description": "カタカナ or ひらがな"},
        "given_kana": {"type": "string", "maxLength": 60, "description": "カタカナ or ひらがな"},
        "email": {"type": "string", "maxLength": 254, "description": "Optional: the ticket is mailed to it"},
    },
}

EVENT = {
    "type": "object",
    "required": ["slug", "title", "edition", "starts_at", "ends_at", "venue", "registration_status",
                 "registration_opens_at", "registration_closes_at", "capacity", "seats_left", "url"],
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "object", "required": ["ja", "en"],
                  "properties": {"ja": {"type": "string"}, "en": {"type": "string"}}},
        "edition": {"type": "integer"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "venue": {"type": "string"},
        "registration_status": {"type": "string", "enum": ["not_published", "not_yet_open", "open", "full",
                                                           "closed"]},
        "registration_opens_at": {"type": "string", "format": "date-time"},
        "registration_closes_at": {"type": "string", "format": "date-time"},
        "capacity": {"type": "integer"},
        "seats_left": {"type": "integer"},
        "url": {"type": "string"},
    },
}

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 60},
        "description": "The event's slug; the device must be paired with this event (else 403)."}
LANGUAGE = {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
            "description": "ja (default) or en: the language of `explanation` and category labels."}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "eventapp API", "version": "1",
                 "description": "Published events, and the check-in (受付) scanners' API. The scanners "
                                "authenticate with the device token shown when the device was paired "
                                "(`Authorization: Bearer …`). A scan always answers 200 with `status` ok or "
                                "error (and a `reason`) when it could be judged; 4xx when it could not."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"device": {"type": "http", "scheme": "bearer",
                                           "description": "The device token (organisers' page or "
                                                          "`flask devices create`)."}},
            "schemas": {"Attendee": ATTENDEE, "ScanRequest": SCAN_REQUEST, "ScanAnswer": SCAN_ANSWER,
                        "Error": ERROR, "HttpError": HTTP_ERROR, "SearchAnswer": SEARCH_ANSWER, "Event": EVENT,
                        "RosterPerson": ROSTER_PERSON, "Roster": ROSTER, "Device": DEVICE, "UndoAnswer": UNDO_ANSWER,
                        "WalkInRequest": WALK_IN_REQUEST},
        },
        "paths": {
            "/api/v1/events": {"get": {
                "operationId": "listEvents", "summary": "Published events", "security": [],
                "responses": {"200": {"description": "The published events, by date", "content": {
                    "application/json": {"schema": {"type": "array",
                                                    "items": {"$ref": "#/components/schemas/Event"}}}}}},
            }},
            "/api/v1/events/{slug}/checkins": {"post": {
                "operationId": "checkIn", "summary": "Check a person in or out (a scanned code or a search result)",
                "security": [{"device": []}],
                "parameters": [SLUG, LANGUAGE],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ScanRequest"},
                    "example": {"code": "abcdefghjkmnpqrstuvwxyz234567892", "nonce": "9f0c5b7e-3c1a-4d2e-8f00-1b2c3d4e5f60",
                                "direction": "in", "scanned_at": "2027-02-18T13:02:11+09:00"}}}},
                "responses": {"200": _json("ScanAnswer", "The scan was judged: admitted (ok) or refused (error, "
                                                         "with the reason); recorded either way."),
                              **_errors(400, 401, 403, 409, 410, 413, 422, 429)},
            }},
            "/api/v1/device": {"get": {
                "operationId": "whoAmI", "summary": "The device's name, event and point, and the walk-in categories",
                "security": [{"device": []}], "parameters": [LANGUAGE],
                "responses": {"200": _json("Device", "The paired device"), **_errors(400, 401, 429)},
            }},
            "/api/v1/events/{slug}/checkins/{entry_id}/undo": {"post": {
                "operationId": "undoScan", "summary": "Take back the device's last admission or exit of a person",
                "security": [{"device": []}],
                "parameters": [SLUG, LANGUAGE, {"name": "entry_id", "in": "path", "required": True,
                                                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_REGISTRATION_ID}}],
                "responses": {"200": _json("UndoAnswer", "Undone (ok), or why not (cannot_undo)"),
                              **_errors(400, 401, 403, 404, 410, 429)},
            }},
            "/api/v1/events/{slug}/roster": {"get": {
                "operationId": "roster", "summary": "What the door needs to judge scans offline",
                "security": [{"device": []}],
                "parameters": [SLUG, LANGUAGE, {"name": "since", "in": "query", "required": False,
                                                "schema": {"type": "string"},
                                                "description": "The cursor of the last answer"}],
                "responses": {"200": _json("Roster", "Everyone, or the changes since the cursor"),
                              **_errors(400, 401, 403, 410, 429)},
            }},
            "/api/v1/events/{slug}/walkins": {"post": {
                "operationId": "walkIn", "summary": "当日受付: register someone at the door and check them in",
                "security": [{"device": []}], "parameters": [SLUG, LANGUAGE],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/WalkInRequest"}}}},
                "responses": {"200": _json("ScanAnswer", "Registered and checked in"),
                              **_errors(400, 401, 403, 409, 410, 413, 422, 429)},
            }},
            "/api/v1/events/{slug}/registrations/{registration_id}/badge.pdf": {"get": {
                "operationId": "arrivalBadge", "summary": "A badge on the single-label sheet, printed on arrival",
                "security": [{"device": []}],
                "parameters": [SLUG, LANGUAGE, {"name": "registration_id", "in": "path", "required": True,
                                                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_REGISTRATION_ID}}],
                "responses": {"200": {"description": "The badge; marked printed",
                                      "content": {"application/pdf": {"schema": {"type": "string",
                                                                                 "format": "binary"}}}},
                              **_errors(400, 401, 403, 404, 410, 429)},
            }},
            "/api/v1/events/{slug}/checkins/search": {"get": {
                "operationId": "searchAttendees",
                "summary": "Find people without their code: name, furigana (ひらがな finds カタカナ), company, 受付番号",
                "security": [{"device": []}],
                "parameters": [SLUG, LANGUAGE, {
                    "name": "q", "in": "query", "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": SEARCH_QUERY_MAX_LENGTH},
                    "description": "Words, all of which must match"}],
                "responses": {"200": _json("SearchAnswer", "Matching registrations of the event (any status)"),
                              **_errors(400, 401, 403, 410, 422, 429)},
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
    }

"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json. tests/checkin/test_openapi.py checks
real answers against it (and runs schemathesis), so it says what the code does."""

from __future__ import annotations

from typing import Any

from eventapp.checkin.models import Direction
from eventapp.checkin.services import CODE_MAX_LENGTH, MAX_REGISTRATION_ID, SEARCH_QUERY_MAX_LENGTH, Reason
from eventapp.events.models import CategoryCode
from eventapp.registration.models import RegistrationStatus

SCAN_REASONS = [reason.value for reason in Reason]
ERROR_REASONS = ["unauthorized", "revoked", "forbidden_event", "malformed_json", "invalid_request", "nonce_reused",
                 "too_large"]
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
        403: "The device is paired with another event than the one in the path.",
        409: "This device sent the same nonce before for another code, id or direction: nothing recorded.",
        413: "The body is over 4096 bytes.",
        422: "A field is missing, of the wrong type, too long, unreadable, or scanned_at is absurd "
             "(`errors` says which and why). Nothing was recorded.",
    }
    responses = {}
    for code in codes:
        schema: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
        if code in (400, 413):  # refused before our view runs, by the app's error pages (errors.py)
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
                   "description": "Sent later from the device's queue (offline): a refused one is flagged "
                                  "for the organisers."},
    },
}

SCAN_ANSWER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status", "reason", "explanation", "direction", "attendee", "first_checked_in_at", "first_device",
                 "point", "entry_id", "recorded_at", "replayed"],
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
            "properties": {"field": {"type": "string"}, "problem": {"type": "string"}}}},
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
                        "Error": ERROR, "HttpError": HTTP_ERROR, "SearchAnswer": SEARCH_ANSWER, "Event": EVENT},
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
                              **_errors(400, 401, 403, 409, 413, 422)},
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
                              **_errors(400, 401, 403, 422)},
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
    }

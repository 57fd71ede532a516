"""The OpenAPI document: a valid OpenAPI 3.1 document, served as it is written, and true of the app —
schemathesis sends generated requests (valid ones, and ones the document forbids) with a real device token
and checks there is no 5xx and every answer has a documented status, type and shape."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode, checks

from eventapp.api.openapi import openapi_document
from tests.checkin.conftest import pair, scanned_now
from tests.helpers import make_registration

EXAMPLES = 40  # per operation and mode: enough to find a crash, few enough for two shared cores


def test_the_document_is_valid_openapi_3_1(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.is_json
    assert served.get_json() == openapi_document()
    validate(served.get_json())
    assert served.get_json()["openapi"] == "3.1.0"


def _scanned_just_now(case):
    """Valid data as a device sends it: its clock agrees with the server's (random date-times almost never
    fall between the opening of registration and now), so that scans are judged, not refused as absurd."""
    if isinstance(case.body, dict) and "scanned_at" in case.body:
        case.body = {**case.body, "scanned_at": scanned_now()}
    return case


def _exercise(operation, strategy, *, headers: dict, excluded: list, answered: dict[str, set[int]]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case) -> None:
        # Every check schemathesis has, the bearer token given as the device sends it (so that its
        # "ignored auth" check also tries without it and with a wrong one).
        response = case.call_and_validate(headers=headers, excluded_checks=excluded)
        answered.setdefault(operation.label, set()).add(response.status_code)

    check()


def test_the_app_keeps_to_its_document(app, session, event):
    device = pair(session, event)
    for n in range(3):  # people for the searches to find
        make_registration(session, event, n=n)
    slug = event.slug
    session.rollback()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"POST /api/v1/events/{slug}/checkins",
                                               "GET /api/v1/events/{slug}/checkins/search"}
    headers = {"Authorization": f"Bearer {device.token}"}
    answered: dict[str, set[int]] = {}

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode == GenerationMode.NEGATIVE and "{slug}" not in operation.path:
                continue  # nothing to get wrong in a GET without parameters
            strategy = operation.as_strategy(generation_mode=mode, path_parameters={"slug": slug})
            if mode == GenerationMode.POSITIVE:
                strategy = strategy.map(_scanned_just_now)
            # A request whose only fault is an unknown query parameter is answered, as is usual (a scanner may
            # add one to defeat a cache); and a removed Authorization header is put back by `headers`.
            excluded = [checks.negative_data_rejection] if operation.method.upper() == "GET" else []
            if operation.path.endswith("/walkins"):
                # A walk-in's fields follow the registration form's rules (a reading in kana, a real address,
                # lengths after normalisation), which JSON Schema cannot say: some schema-valid ones get a 422
                # naming the field (tests/checkin/test_walk_ins.py checks those messages).
                excluded.append(checks.positive_data_acceptance)
            _exercise(operation, strategy, headers=headers, excluded=excluded, answered=answered)

    # Valid scans were judged (200), hostile ones refused (422), on both endpoints.
    assert 200 in answered["POST /api/v1/events/{slug}/checkins"]
    assert 422 in answered["POST /api/v1/events/{slug}/checkins"]
    assert 200 in answered["GET /api/v1/events/{slug}/checkins/search"]
    for label in ("GET /api/v1/device", "GET /api/v1/events/{slug}/roster"):
        assert 200 in answered[label], label

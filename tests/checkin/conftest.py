"""What the check-in tests share: an event with a confirmed person, paired devices, and a scan helper that
checks every answer against the OpenAPI document."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from eventapp.checkin import services
from eventapp.db import utcnow
from eventapp.events.models import TOKYO
from tests.checkin.contract import assert_conforms
from tests.helpers import make_event, make_registration


@dataclass
class Device:
    id: int
    token: str
    name: str


def pair(session, event, name: str = "受付-1", point=None) -> Device:
    device, token = services.create_device(session, event, name=name, point=point, created_by="test", now=utcnow())
    session.commit()
    return Device(device.id, token, name)


@pytest.fixture
def event(session, now):
    return make_event(session, now=now)


@pytest.fixture
def person(session, event, now):
    return make_registration(session, event, n=1, now=now)


@pytest.fixture
def device(session, event) -> Device:
    return pair(session, event)


def nonce() -> str:
    return uuid.uuid4().hex


def scanned_now() -> str:
    return utcnow().astimezone(TOKYO).isoformat()


def scan(client, device: Device | str | None, slug: str = "godo-2027", *, language: str | None = None,
         raw: bytes | None = None, **body):
    """POST a scan; fills nonce, direction and scanned_at unless given (None leaves a field out)."""
    token = device.token if isinstance(device, Device) else device
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if language:
        headers["Accept-Language"] = language
    defaults = {"nonce": nonce(), "direction": "in", "scanned_at": scanned_now()}
    payload = {**defaults, **body}
    payload = {key: value for key, value in payload.items() if value is not None}
    url = f"/api/v1/events/{slug}/checkins"
    if raw is not None:
        response = client.post(url, data=raw, headers={**headers, "Content-Type": "application/json"})
    else:
        response = client.post(url, json=payload, headers=headers)
    assert_conforms(response, "/api/v1/events/{slug}/checkins", "post")
    return response


def search(client, device: Device | str | None, q: str | None, slug: str = "godo-2027"):
    token = device.token if isinstance(device, Device) else device
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(f"/api/v1/events/{slug}/checkins/search", query_string={"q": q} if q is not None else {},
                          headers=headers)
    assert_conforms(response, "/api/v1/events/{slug}/checkins/search", "get")
    return response

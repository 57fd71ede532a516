"""Pairing devices: organisers' pages and the CLI; the token is shown once and kept only as its hash."""

from __future__ import annotations

import base64
import hashlib
import re

import zxingcpp
from PIL import Image
from sqlalchemy import select

from eventapp.checkin import services
from eventapp.checkin.models import CheckinDevice
from tests.checkin.conftest import Device, scan
from tests.helpers import csrf_token_from

_TOKEN = re.compile(r"端末トークン: <code>([A-Za-z0-9_-]+)</code>")
_QR = re.compile(r'src="data:image/png;base64,([^"]+)"')


def _add(client, event, name="受付-1", point_id=None):
    page = client.get(f"/admin/checkin/events/{event.id}/devices")
    assert page.status_code == 200
    point_id = point_id or re.search(r'<option[^>]*value="(\d+)"', page.get_data(as_text=True)).group(1)
    return client.post(f"/admin/checkin/events/{event.id}/devices",
                       data={"name": name, "point": point_id, "csrf_token": csrf_token_from(page)})


def test_an_organiser_pairs_a_device_and_sees_its_token_once(organiser_client, session, event, person):
    response = _add(organiser_client, event)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = _TOKEN.search(html).group(1)
    session.rollback()
    device = session.scalar(select(CheckinDevice))
    assert device.name == "受付-1" and device.point.code == "reception"
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in device.token_hash
    assert device.created_by == "organiser:jimukyoku@example.jp"
    # the pairing QR code holds the scanner page's URL with the token in its fragment
    png = base64.b64decode(_QR.search(html).group(1))
    import io

    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [code.text for code in decoded] == [f"http://localhost/scan/pair#{token}"]
    # the list shows it, never the token again
    listing = organiser_client.get(f"/admin/checkin/events/{event.id}/devices").get_data(as_text=True)
    assert "受付-1" in listing and token not in listing
    # and the token works
    assert scan(organiser_client, Device(device.id, token, "受付-1"), code=person.token).get_json()["status"] == "ok"


def test_adding_a_device_without_a_name_says_so(organiser_client, session, event):
    response = _add(organiser_client, event, name="  ")
    assert response.status_code == 422
    assert "端末名" in response.get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(CheckinDevice)) is None


def test_a_point_of_another_event_cannot_be_chosen(organiser_client, session, now, event):
    from tests.helpers import make_event

    other = make_event(session, slug="other", now=now)
    foreign = services.default_point(session, other)
    session.commit()
    assert _add(organiser_client, event, point_id=str(foreign.id)).status_code == 422


def test_revoking_a_device_stops_its_token(organiser_client, session, event, person, device):
    page = organiser_client.get(f"/admin/checkin/events/{event.id}/devices")
    response = organiser_client.post(f"/admin/checkin/devices/{device.id}/revoke",
                                     data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert scan(organiser_client, device, code=person.token).status_code == 401
    listing = organiser_client.get(f"/admin/checkin/events/{event.id}/devices").get_data(as_text=True)
    assert "停止済み" in listing


def test_revoking_needs_the_csrf_token(organiser_client, event, device):
    assert organiser_client.post(f"/admin/checkin/devices/{device.id}/revoke").status_code == 400


def test_staff_cannot_manage_devices(staff_client, event, device):
    assert staff_client.get(f"/admin/checkin/events/{event.id}/devices").status_code == 403


def test_cli_creates_a_device_and_prints_the_token_last(app, session, client, event, person):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["devices", "create", "--event", "godo-2027", "--name", "受付-CLI"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    token = lines[-1]
    assert f"pairing URL: http://127.0.0.1:5000/scan/pair#{token}" in lines
    device_id = session.scalar(select(CheckinDevice.id).where(CheckinDevice.name == "受付-CLI"))
    answer = scan(client, Device(device_id, token, "受付-CLI"), code=person.token).get_json()
    assert answer["status"] == "ok" and answer["first_device"] == "受付-CLI"

    listing = runner.invoke(args=["devices", "list", "--event", "godo-2027"])
    assert "受付-CLI" in listing.output and "active" in listing.output
    assert runner.invoke(args=["devices", "revoke", "--id", str(device_id)]).exit_code == 0
    assert scan(client, Device(device_id, token, "受付-CLI"), code=person.token).status_code == 401


def test_cli_uses_the_public_base_url_and_refuses_unknown_points_and_events(app, event):
    app.config["PUBLIC_BASE_URL"] = "https://kouryukai.example.jp/"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["devices", "create", "--event", "godo-2027", "--name", "x", "--point", "reception"])
    assert "pairing URL: https://kouryukai.example.jp/scan/pair#" in result.output
    bad_point = runner.invoke(args=["devices", "create", "--event", "godo-2027", "--name", "x", "--point", "nope"])
    assert bad_point.exit_code != 0 and "points: reception" in bad_point.output
    bad_event = runner.invoke(args=["devices", "create", "--event", "nope", "--name", "x"])
    assert bad_event.exit_code != 0 and "no event" in bad_event.output

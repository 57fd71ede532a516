"""Flagged scans (uploaded from an offline queue against a rule): the organisers' list, open ones first and
newest first, with who, which device, both clocks, the reason and the admission it clashes with; marking
one as checked; the open count on the devices and arrivals pages."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from eventapp.checkin import organising, services
from eventapp.checkin.models import CheckinEntry, EntryResult
from eventapp.i18n import format_datetime
from tests.checkin.conftest import pair
from tests.checkin.entries import entry
from tests.helpers import csrf_token_from, make_registration


def _flags(session, event, device, now):
    """Two offline devices let 髙橋 in; 山﨑 (cancelled meanwhile) was let in offline; an old flag is checked."""
    reception = services.default_point(session, event)
    other = pair(session, event, name="受付-2")
    takahashi = make_registration(session, event, n=1, family_name="髙橋", given_name="一郎", family_kana="タカハシ")
    yamazaki = make_registration(session, event, n=2, family_name="山﨑", given_name="花子", family_kana="ヤマザキ")
    first = entry(session, device.id, reception.id, takahashi, now - timedelta(minutes=30), first_in=True, queued=True,
                  recorded_at=now - timedelta(minutes=10))
    second = entry(session, other.id, reception.id, takahashi, now - timedelta(minutes=25), result=EntryResult.REFUSED,
                   reason="already_checked_in", queued=True, flagged=True, first_entry=first,
                   recorded_at=now - timedelta(minutes=9))
    cancelled = entry(session, other.id, reception.id, yamazaki, now - timedelta(minutes=20),
                      result=EntryResult.REFUSED, reason="cancelled", queued=True, flagged=True,
                      recorded_at=now - timedelta(minutes=8))
    old = entry(session, device.id, reception.id, yamazaki, now - timedelta(minutes=50), result=EntryResult.REFUSED,
                reason="cancelled", queued=True, flagged=True, recorded_at=now - timedelta(minutes=40))
    old.flag_resolved_by, old.flag_resolved_at = "organiser:someone@example.jp", now - timedelta(minutes=35)
    session.commit()
    return first, second, cancelled, old


def test_open_flags_come_first_newest_first(session, now, event, device):
    first, second, cancelled, old = _flags(session, event, device, now)
    flags = organising.flags_of(session, event)
    assert [f.entry.id for f in flags] == [cancelled.id, second.id, old.id]
    assert [f.open for f in flags] == [True, True, False]
    assert flags[1].clashes_with.id == first.id and flags[1].clashes_with.device.name == "受付-1"
    assert flags[0].clashes_with is None


def test_the_list_shows_what_an_organiser_needs(organiser_client, session, now, event, device):
    first, second, cancelled, old = _flags(session, event, device, now)
    response = organiser_client.get(f"/admin/checkin/events/{event.id}/flags")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "髙橋 一郎" in html and "山﨑 花子" in html and "受付-2" in html
    assert html.index("山﨑 花子") < html.index("髙橋 一郎")  # newest first
    with_second = html[html.index("髙橋 一郎"):]
    row = with_second[:with_second.index("</tr>")]
    for moment in (second.scanned_at, second.recorded_at, first.scanned_at):
        assert format_datetime(moment, "ja") in row
    assert "既に受付済みです（先に入場しています）。" in row  # the reason, in words
    assert row.count("受付-1") == 1  # the first admission's device
    assert len(re.findall(r'action="/admin/checkin/flags/\d+/resolve"', html)) == 2  # the open ones
    assert "確認済み" in html and "organiser:someone@example.jp" in html


def test_marking_a_flag_as_checked(organiser_client, session, now, event, device):
    first, second, cancelled, old = _flags(session, event, device, now)
    page = organiser_client.get(f"/admin/checkin/events/{event.id}/flags")
    assert organiser_client.post(f"/admin/checkin/flags/{second.id}/resolve").status_code == 400  # no CSRF
    response = organiser_client.post(f"/admin/checkin/flags/{second.id}/resolve",
                                     data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    session.rollback()
    resolved = session.get(CheckinEntry, second.id)
    assert resolved.flag_resolved_by == "organiser:jimukyoku@example.jp" and resolved.flag_resolved_at is not None
    when = resolved.flag_resolved_at
    organiser_client.post(f"/admin/checkin/flags/{second.id}/resolve", data={"csrf_token": csrf_token_from(page)})
    session.rollback()
    assert session.get(CheckinEntry, second.id).flag_resolved_at == when  # the first look is kept
    html = organiser_client.get(f"/admin/checkin/events/{event.id}/flags").get_data(as_text=True)
    assert len(re.findall(r'action="/admin/checkin/flags/\d+/resolve"', html)) == 1
    # an entry that is not flagged is no flag to resolve
    assert organiser_client.post(f"/admin/checkin/flags/{first.id}/resolve",
                                 data={"csrf_token": csrf_token_from(page)}).status_code == 404
    assert organiser_client.post("/admin/checkin/flags/999999/resolve",
                                 data={"csrf_token": csrf_token_from(page)}).status_code == 404


def test_open_flags_are_counted_on_the_devices_and_arrivals_pages(organiser_client, session, now, event, device):
    _flags(session, event, device, now)
    devices = organiser_client.get(f"/admin/checkin/events/{event.id}/devices").get_data(as_text=True)
    assert "要確認の読み取り 2件" in devices
    arrivals = organiser_client.get(f"/admin/checkin/events/{event.id}/arrivals").get_data(as_text=True)
    assert re.search(r'data-stat="open_flags">2<', arrivals)
    assert organiser_client.get(f"/admin/checkin/events/{event.id}/arrivals.json").get_json()["open_flags"] == 2


def test_an_empty_list_and_only_organisers(organiser_client, staff_client, session, event):
    html = organiser_client.get(f"/admin/checkin/events/{event.id}/flags").get_data(as_text=True)
    assert "要確認の読み取りはありません。" in html
    assert staff_client.get(f"/admin/checkin/events/{event.id}/flags").status_code == 403
    assert session.scalar(select(CheckinEntry)) is None

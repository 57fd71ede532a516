"""Attacks on the door API: what a hostile or broken client can send, and races, on both databases."""

from __future__ import annotations

import pytest

from tests.checkin.contract import assert_conforms
from tests.checkin.test_door_api import _auth, get_roster

ROSTER = "/api/v1/events/{slug}/roster"


def _roster_raw(client, device, since):
    response = client.get("/api/v1/events/godo-2027/roster", query_string={"since": since}, headers=_auth(device))
    assert_conforms(response, ROSTER, "get")
    return response


@pytest.mark.parametrize("tail", ["\u00b2", "\u2460", "999999999999999", "\u0661\u0662"])
def test_a_forged_cursor_with_odd_digits_or_a_far_time_gets_the_whole_roster(client, event, person, device, tail):
    cursor = get_roster(client, device).get_json()["cursor"]
    terms = cursor.partition(".")[0]
    answer = _roster_raw(client, device, f"{terms}.{tail}").get_json()
    assert answer["full"] is True and len(answer["people"]) == 1

"""Phone numbers follow Japan's numbering plan (libphonenumber), not a guess from the first digits: many
groups are in Tama, where area codes have four digits (0422 Musashino, 042 Hachiōji …)."""

from __future__ import annotations

import pytest

from eventapp.text import digits_only, format_phone, is_valid_phone
from tests.helpers import csrf_token_from, form_data


@pytest.mark.parametrize(("typed", "shown"), [
    ("0422-51-2345", "0422-51-2345"),  # Musashino: a four-digit area code
    ("０４２２５１２３４５", "0422-51-2345"),  # full-width, as a Japanese keyboard types it
    ("0425123456", "042-512-3456"),  # Hachiōji
    ("03(1234)5678", "03-1234-5678"),
    ("09012345678", "090-1234-5678"),
    ("0120-123-456", "0120-123-456"),
    ("05012345678", "050-1234-5678"),
])
def test_numbers_are_hyphenated_where_the_numbering_plan_puts_the_breaks(typed, shown):
    digits = digits_only(typed)
    assert digits is not None and is_valid_phone(digits)
    assert format_phone(digits) == shown


@pytest.mark.parametrize("typed", ["0000000000", "0312345", "031234567890", "1234567890", "0800000000"])
def test_numbers_that_cannot_exist_are_refused(typed):
    assert not is_valid_phone(digits_only(typed))


def test_the_form_refuses_a_number_of_zeros_naming_the_field(client, session):
    from tests.helpers import make_event

    event = make_event(session)
    page = client.get(f"/events/{event.slug}/register")
    response = client.post(f"/events/{event.slug}/register", data=form_data(
        phone="0000000000", csrf_token=csrf_token_from(page), submission_id=_submission_id(page)))
    assert response.status_code == 422
    assert "電話番号" in response.get_data(as_text=True)


def _submission_id(page) -> str:
    from tests.helpers import submission_id_from

    return submission_id_from(page)

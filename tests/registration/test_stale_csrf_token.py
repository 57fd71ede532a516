"""The three answer forms (register, "my registration" edit, the organisers' edit) check their own CSRF token
instead of CSRFProtect: a wrong, missing or expired token writes nothing and shows the form again with what
was typed and a message (in the page's language) that it had expired; sending it again then works."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from eventapp.db import utcnow
from eventapp.mail.models import OutboxMessage
from eventapp.registration.models import Registration, RegistrationChange
from tests.helpers import (
    csrf_token_from,
    form_data,
    make_event,
    make_registration,
    private_link,
    submission_id_from,
)

WRONG_TOKEN = "IjEyMzQ1Njc4OTBhYmNkZWYi.Zz9xYg.not-a-real-signature"
EXPIRED_JA = "フォームの有効期限が切れていました"


def _written(session) -> tuple[int, int, int]:
    """How many registrations, history lines and messages there are."""
    return tuple(session.scalar(select(func.count(model.id)))
                 for model in (Registration, RegistrationChange, OutboxMessage))


def _answers_of(registration, **changes) -> dict:
    """What the edit form posts: the registration's answers, with `changes` typed over them."""
    return form_data(email=registration.email, email_confirm=registration.email, **changes)


def _typed_values_are_shown(response, *values: str) -> str:
    body = response.get_data(as_text=True)
    for value in values:
        assert f'value="{value}"' in body, value
    assert 'id="error-summary"' not in body  # nothing for the person to correct
    return body


# --- the registration form ------------------------------------------------------------------------------


def test_register_with_a_wrong_token_writes_nothing_and_keeps_the_answers(client, session):
    event = make_event(session)
    url = f"/events/{event.slug}/register"
    page = client.get(url)
    before = _written(session)
    typed = form_data(family_name="佐藤", company_name="株式会社ミナト") | {
        "csrf_token": WRONG_TOKEN, "submission_id": submission_id_from(page)}
    refused = client.post(url, data=typed)
    assert refused.status_code == 400
    body = _typed_values_are_shown(refused, "佐藤", "株式会社ミナト", "taro@example.jp")
    assert EXPIRED_JA in body
    assert _written(session) == before
    # Sent again as shown (its own fresh token), it registers once.
    sent = client.post(url, data=typed | {"csrf_token": csrf_token_from(refused),
                                          "submission_id": submission_id_from(refused)})
    assert sent.status_code == 302
    assert session.scalars(select(Registration.family_name)).all() == ["佐藤"]


def test_register_with_a_wrong_token_says_so_in_english(client, session):
    event = make_event(session)
    url = f"/events/{event.slug}/register?lang=en"
    page = client.get(url)
    refused = client.post(url, data=form_data(family_name="Smith") | {
        "csrf_token": WRONG_TOKEN, "submission_id": submission_id_from(page)})
    assert refused.status_code == 400
    body = _typed_values_are_shown(refused, "Smith")
    assert "The form had expired (or was opened in another tab). Your answers are kept" in body
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_register_with_an_expired_token_writes_nothing(client, session, time_machine):
    event = make_event(session, closes_in=timedelta(days=30))
    url = f"/events/{event.slug}/register"
    page = client.get(url)
    time_machine.move_to(utcnow() + timedelta(hours=7), tick=True)  # WTF_CSRF_TIME_LIMIT is 6 hours
    refused = client.post(url, data=form_data(family_name="佐藤") | {
        "csrf_token": csrf_token_from(page), "submission_id": submission_id_from(page)})
    assert refused.status_code == 400
    assert EXPIRED_JA in _typed_values_are_shown(refused, "佐藤")
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_a_double_click_after_a_refused_token_still_registers_once(client, session):
    """The submission id of the refused form is this browser's: the form shown again keeps it."""
    event = make_event(session)
    url = f"/events/{event.slug}/register"
    page = client.get(url)
    issued = submission_id_from(page)
    refused = client.post(url, data=form_data() | {"csrf_token": WRONG_TOKEN, "submission_id": issued})
    assert submission_id_from(refused) == issued
    data = form_data() | {"csrf_token": csrf_token_from(refused), "submission_id": issued}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data=data).status_code == 302  # the second click: the same confirmation
    assert session.scalar(select(func.count(Registration.id))) == 1


# --- "my registration": changing the answers ---------------------------------------------------------------


def test_my_edit_with_a_wrong_token_writes_nothing_and_keeps_the_answers(app, client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    url = f"{private_link(app, registration)}/edit"
    client.get(url)
    before = _written(session)
    typed = _answers_of(registration, family_name="佐藤", company_name="株式会社ミナト")
    refused = client.post(url, data=typed | {"csrf_token": WRONG_TOKEN})
    assert refused.status_code == 400
    assert EXPIRED_JA in _typed_values_are_shown(refused, "佐藤", "株式会社ミナト")
    assert _written(session) == before
    assert session.get(Registration, registration.id).family_name == "山田"
    english = client.post(f"{url}?lang=en", data=typed)  # no token at all
    assert english.status_code == 400
    assert "The form had expired. Your answers are kept: please send them again." in \
        _typed_values_are_shown(english, "佐藤")
    assert _written(session) == before
    # Sent again as shown, it is saved.
    assert client.post(url, data=typed | {"csrf_token": csrf_token_from(refused)}).status_code == 302
    assert session.get(Registration, registration.id).family_name == "佐藤"


# --- the organisers' edit ---------------------------------------------------------------------------------


def test_organiser_edit_with_a_wrong_token_writes_nothing_and_keeps_the_answers(organiser_client, session):
    event = make_event(session)
    registration = make_registration(session, event)
    url = f"/admin/registrations/{registration.id}/edit"
    organiser_client.get(url)
    before = _written(session)
    typed = _answers_of(registration, company_name="株式会社ミナト", category="guest")
    refused = organiser_client.post(url, data=typed | {"csrf_token": WRONG_TOKEN})
    assert refused.status_code == 400
    assert EXPIRED_JA in _typed_values_are_shown(refused, "株式会社ミナト")
    assert re.search(r'<input [^>]*\bchecked\b[^>]* value="guest"', refused.get_data(as_text=True))  # the choice too
    assert _written(session) == before
    english = organiser_client.post(f"{url}?lang=en", data=typed)  # no token at all
    assert english.status_code == 400
    assert "The form had expired (or was opened in another tab). The answers are kept" in \
        _typed_values_are_shown(english, "株式会社ミナト")
    assert _written(session) == before
    stored = session.get(Registration, registration.id)
    assert stored.company_name == "株式会社サンプル" and stored.category.code.value == "general"
    # Sent again as shown, it is saved.
    assert organiser_client.post(url, data=typed | {"csrf_token": csrf_token_from(refused)}).status_code == 302
    assert session.get(Registration, registration.id).company_name == "株式会社ミナト"


def test_the_forms_are_still_refused_without_a_token_when_the_page_does_not_exist(organiser_client, client):
    for url in ("/events/no-such-event/register", "/my/forged-link/edit"):
        assert client.post(url, data=form_data()).status_code == 404
    assert organiser_client.post("/admin/registrations/987654/edit", data=form_data()).status_code == 404

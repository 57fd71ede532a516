"""Batch printing from the organiser's page and the command line; one badge again; a lost badge."""

from __future__ import annotations

import re

import pypdfium2
import pytest
from sqlalchemy import func, select

from eventapp.badges.services import registration_by_token
from eventapp.jobs.models import JobRecord, JobStatus
from eventapp.registration.models import Registration, RegistrationChange
from tests.helpers import csrf_token_from, make_event, make_registration


def _pages(pdf: bytes) -> int:
    return len(pypdfium2.PdfDocument(pdf))


@pytest.fixture
def event_with_people(session):
    event = make_event(session, capacity=30)
    people = [make_registration(session, event, n=n, family_name="髙﨑" if n == 0 else "山田") for n in range(23)]
    return event, people


def _start_batch(client, slug: str, **fields):
    page = client.get(f"/admin/badges?event={slug}")
    data = {"csrf_token": csrf_token_from(page), "sheet": "card-a4-2x5", "order": "gojuon", "group_id": ""} | fields
    return client.post(f"/admin/badges?event={slug}", data=data)


def test_batch_makes_a_pdf_in_the_background_and_marks_badges_printed(organiser_client, session, event_with_people):
    event, people = event_with_people
    response = _start_batch(organiser_client, event.slug)
    assert response.status_code == 302
    job_id = int(re.search(r"/admin/jobs/(\d+)", response.headers["Location"]).group(1))
    status = organiser_client.get(f"/admin/jobs/{job_id}.json").get_json()
    assert status["status"] == "done" and status["done"] == status["total"] == 23 and status["percent"] == 100
    pdf = organiser_client.get(status["download_url"], buffered=True)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert _pages(pdf.data) == 3  # 23 badges, 10 per A4 sheet
    session.rollback()
    assert session.scalar(select(func.count(Registration.id)).where(Registration.badge_printed_at.is_not(None))) == 23
    # a second batch of "not printed yet" finds nobody, says so, and starts no job
    again = _start_batch(organiser_client, event.slug, not_printed_only="y")
    assert again.status_code == 422
    assert session.scalar(select(func.count(JobRecord.id))) == 1


def test_empty_batch_gives_a_message_not_an_empty_pdf(organiser_client, session):
    event = make_event(session)
    response = _start_batch(organiser_client, event.slug)
    assert response.status_code == 422
    assert "印刷するものがありません" in response.get_data(as_text=True) or \
        "nothing to print" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(JobRecord.id))) == 0


def test_job_page_shows_progress_and_download(organiser_client, session, event_with_people):
    event, _ = event_with_people
    location = _start_batch(organiser_client, event.slug, categories=["general"]).headers["Location"]
    page = organiser_client.get(location).get_data(as_text=True)
    assert "<progress" in page and "job_progress.js" in page
    assert "/download" in page


def test_one_badge_again_and_a_lost_badge(organiser_client, session, event_with_people):
    _, people = event_with_people
    person = people[0]
    detail = organiser_client.get(f"/admin/registrations/{person.id}")
    token = csrf_token_from(detail)
    pdf = organiser_client.post(f"/admin/registrations/{person.id}/badge.pdf",
                                data={"csrf_token": token, "sheet": "card-single"})
    assert pdf.status_code == 200 and _pages(pdf.data) == 1
    old_token = person.token
    assert organiser_client.post(f"/admin/registrations/{person.id}/reissue-badge",
                                 data={"csrf_token": token}).status_code == 302
    session.rollback()
    fresh = session.get(Registration, person.id)
    assert fresh.token != old_token and fresh.token_reissued_at is not None and fresh.badge_print_count == 1
    assert registration_by_token(session, old_token) is None
    assert registration_by_token(session, fresh.token).id == person.id
    assert session.scalar(select(RegistrationChange).where(RegistrationChange.action == "badge reissued"))


def test_sheet_layouts_can_be_added_only_if_they_fit(organiser_client, session):
    page = organiser_client.get("/admin/badges/sheets")
    layout = {"csrf_token": csrf_token_from(page), "name": "three-across", "label_ja": "3列", "label_en": "",
              "design": "card", "page_width_mm": "210", "page_height_mm": "297", "label_width_mm": "91",
              "label_height_mm": "55", "columns": "3", "rows": "5", "margin_left_mm": "0", "margin_top_mm": "0",
              "pitch_x_mm": "91", "pitch_y_mm": "55"}
    refused = organiser_client.post("/admin/badges/sheets?lang=en", data=layout)
    assert refused.status_code == 422
    assert "273 mm across but the page is 210 mm wide" in refused.get_data(as_text=True)
    accepted = organiser_client.post("/admin/badges/sheets", data=layout | {"name": "card-one-column", "columns": "1"})
    assert accepted.status_code == 302
    session.rollback()
    from eventapp.badges.models import SheetLayout

    added = session.scalar(select(SheetLayout).where(SheetLayout.name == "card-one-column"))
    test_page = organiser_client.get(f"/admin/badges/sheets/{added.id}/test-page.pdf")
    assert test_page.status_code == 200 and _pages(test_page.data) == 1
    text = pypdfium2.PdfDocument(test_page.data)[0].get_textpage().get_text_range()
    assert "card-one-column" in text and "91" in text


def test_command_line_batch_with_errors_that_say_what_to_do(app, session, event_with_people, tmp_path):
    event, _ = event_with_people
    session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "badges.pdf"
    result = runner.invoke(args=["badges", "pdf", "--event", event.slug, "--out", str(out), "--sheet", "a6-a4-2x2"])
    assert result.exit_code == 0, result.output
    assert "wrote 23 badges" in result.output
    assert _pages(out.read_bytes()) == 6  # 23 on 4 per sheet
    unknown = runner.invoke(args=["badges", "pdf", "--event", event.slug, "--out", str(tmp_path / "x.pdf"),
                                  "--sheet", "no-such-sheet"])
    assert unknown.exit_code != 0 and "known sheets: card-a4-2x5" in unknown.output
    nobody = runner.invoke(args=["badges", "pdf", "--event", event.slug, "--out", str(tmp_path / "y.pdf"),
                                 "--not-printed"])
    assert nobody.exit_code != 0 and "nobody matches" in nobody.output
    assert not (tmp_path / "y.pdf").exists()


def test_failed_job_marks_nothing_printed(app, session, event_with_people):
    from pathlib import Path

    from eventapp.badges.batch import start_badge_batch
    from eventapp.badges.layouts import layout_named
    from eventapp.badges.services import BadgeSelection
    from eventapp.db import utcnow
    from eventapp.jobs import run_job

    event, _ = event_with_people
    job = start_badge_batch(session, event, selection=BadgeSelection(), layout=layout_named(session, None),
                            created_by="test")
    session.commit()
    blocked = Path(app.config["JOB_FILES_DIR"])
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the directory should be")
    job = run_job(session, job.id, files_dir=blocked, now=utcnow)
    assert job.status == JobStatus.FAILED and job.message
    session.rollback()
    assert session.scalar(select(func.count(Registration.id)).where(Registration.badge_printed_at.is_not(None))) == 0


def test_staff_are_registered_by_organisers_and_get_staff_badges(app, session, tmp_path):
    from eventapp.badges.batch import produce_badges_pdf
    from eventapp.badges.layouts import layout_named
    from eventapp.badges.services import BadgeSelection
    from eventapp.db import utcnow
    from eventapp.registration.errors import CategoryNotOffered
    from eventapp.registration.models import RegistrationSource
    from eventapp.registration.services import register
    from tests.helpers import answers

    event = make_event(session)
    with pytest.raises(CategoryNotOffered):  # not on the public form
        register(session, event, answers=answers(1, category_code="staff"), now=utcnow())
    session.rollback()
    register(session, event, answers=answers(2, category_code="staff", family_name="受付"), now=utcnow(), source=RegistrationSource.ORGANISER, actor="organiser:test")
    session.commit()
    out = tmp_path / "staff.pdf"
    produce_badges_pdf(session, event, selection=BadgeSelection(category_codes=["staff"]),
                       layout=layout_named(session, "card-single"), out_path=out, now=utcnow)
    text = pypdfium2.PdfDocument(str(out))[0].get_textpage().get_text_range()
    assert "スタッフ" in text and "Staff" in text and "受付" in text


def test_pdfs_rendered_from_several_threads_at_once_all_come_out_right(app, session):
    """Web requests, the mail worker and a batch may render in one process at the same moment."""
    import threading

    from eventapp.badges.design import build_badge
    from eventapp.badges.layouts import LayoutSpec, layout_named
    from eventapp.badges.rendering import render_sheet_pdf

    spec = LayoutSpec.of(layout_named(session, "card-single"))
    results: dict[int, bytes] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def render(n: int) -> None:
        try:
            badge = build_badge(registration_id=n, serial=n, role="member", group="", company="株式会社サンプル",
                                kana="タカサキ", name=f"髙﨑 {n}", romaji="", footer="", token=f"token-{n}",
                                design=spec.design)
            barrier.wait(timeout=30)
            results[n] = render_sheet_pdf([badge], spec)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=render, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for n, pdf in results.items():
        page = pypdfium2.PdfDocument(pdf)[0]
        assert f"髙﨑 {n}" in page.get_textpage().get_text_range()
    assert len(results) == 4


def test_one_badge_is_rendered_with_no_transaction_open(organiser_client, app, session, event_with_people,
                                                        monkeypatch):
    """The POST's SQLite transaction holds the one write lock: a registration must not wait for the PDF."""
    import threading

    from sqlalchemy.orm import Session

    from eventapp.badges import batch
    from eventapp.db import db, write_transactions
    from eventapp.events.models import Event
    from tests.helpers import make_registration as register_one

    event, people = event_with_people
    event_id, person_id = event.id, people[0].id
    seen: dict[str, object] = {}
    original = batch.render_sheet_pdf

    def render_while_someone_registers(badges, spec):
        seen["in_transaction"] = db.session().in_transaction()

        def registrant() -> None:
            with app.app_context(), write_transactions(), Session(db.engine) as own:
                register_one(own, own.get(Event, event_id), n=900)
            seen["registered"] = True

        thread = threading.Thread(target=registrant)
        thread.start()
        thread.join(timeout=10)
        seen["registered_while_rendering"] = not thread.is_alive()
        pdf = original(badges, spec)
        thread.join(timeout=60)
        return pdf

    monkeypatch.setattr(batch, "render_sheet_pdf", render_while_someone_registers)
    token = csrf_token_from(organiser_client.get(f"/admin/registrations/{person_id}"))
    pdf = organiser_client.post(f"/admin/registrations/{person_id}/badge.pdf",
                                data={"csrf_token": token, "sheet": "card-single"})
    assert pdf.status_code == 200 and _pages(pdf.data) == 1
    assert seen == {"in_transaction": False, "registered": True, "registered_while_rendering": True}
    session.rollback()
    assert session.get(Registration, person_id).badge_print_count == 1

"""One code scanned at the same instant on many devices — threads in one app, requests to a live server,
separate app processes — is admitted exactly once; every other scan answers already_checked_in with the
first time and device. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import threading
import urllib.request
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eventapp.checkin import services
from eventapp.checkin.models import CheckinDevice, CheckinEntry, EntryResult
from eventapp.db import db, utcnow, write_transactions
from tests.checkin.conftest import pair, scanned_now
from tests.checkin.racers import scan_in_own_process

pytestmark = pytest.mark.concurrency
DEVICES = 16


def _assert_once(session, answers: list[dict], devices) -> None:
    session.rollback()  # end the snapshot read before the race
    entries = session.scalars(select(CheckinEntry).order_by(CheckinEntry.id)).all()
    assert len(entries) == len(answers) == len(devices)
    admitted = [e for e in entries if e.result == EntryResult.OK]
    assert len(admitted) == 1 and admitted[0].first_in
    assert session.scalar(select(func.count(CheckinEntry.id)).where(CheckinEntry.first_in.is_(True))) == 1
    first_device = session.get(CheckinDevice, admitted[0].device_id).name
    oks = [a for a in answers if a["status"] == "ok"]
    refusals = [a for a in answers if a["status"] != "ok"]
    assert len(oks) == 1
    assert {a["reason"] for a in refusals} == {"already_checked_in"}
    assert {a["first_device"] for a in answers} == {first_device}
    assert {a["first_checked_in_at"] for a in answers} == {oks[0]["first_checked_in_at"]}


def test_threads_scanning_one_code_admit_it_once(app, session, event, person):
    devices = [pair(session, event, name=f"受付-{n}") for n in range(DEVICES)]
    code, barrier = person.token, threading.Barrier(DEVICES)
    answers: list[dict] = []
    errors: list[BaseException] = []

    def scan(device_id: int) -> None:
        try:
            with app.app_context(), write_transactions(), Session(db.engine) as own:
                request = services.ScanRequest(nonce=uuid.uuid4().hex, direction=services.Direction.IN,
                                               scanned_at=utcnow(), code=code)
                barrier.wait(timeout=30)  # before the first query: on SQLite it takes the write lock
                device = own.get(CheckinDevice, device_id)
                outcome = services.record_scan(own, device, request, now=utcnow())
                first = outcome.first_entry
                answers.append({"status": "ok" if outcome.ok else "error", "reason": outcome.reason,
                                "first_device": first.device.name if first else None,
                                "first_checked_in_at": first.scanned_at.isoformat() if first else None})
                own.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=scan, args=(d.id,)) for d in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    _assert_once(session, answers, devices)


def test_http_requests_to_a_live_server_admit_it_once(app, session, event, person, live_server):
    devices = [pair(session, event, name=f"受付-{n}") for n in range(DEVICES)]
    code, slug, barrier = person.token, event.slug, threading.Barrier(DEVICES)
    session.rollback()  # read nothing of the test's session in the threads
    answers: list[dict] = []
    errors: list[BaseException] = []

    def post(token: str) -> None:
        body = json.dumps({"code": code, "nonce": uuid.uuid4().hex, "direction": "in",
                           "scanned_at": scanned_now()}).encode()
        request = urllib.request.Request(f"{live_server}/api/v1/events/{slug}/checkins", data=body,
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        try:
            barrier.wait(timeout=30)
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 200
                answers.append(json.loads(response.read()))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(d.token,)) for d in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    _assert_once(session, answers, devices)


PROCESSES = 4


def test_separate_app_processes_admit_it_once(app_config, session, event, person):
    devices = [pair(session, event, name=f"受付-{n}") for n in range(PROCESSES)]
    slug, code = event.slug, person.token
    session.rollback()
    context = multiprocessing.get_context("spawn")
    go, answers = context.Event(), context.Queue()
    scanned_at = scanned_now()
    processes = [context.Process(target=scan_in_own_process,
                                 args=(app_config, slug, d.token, code, scanned_at, go, answers))
                 for d in devices]
    for process in processes:
        process.start()
    try:
        go.set()
        results = [answers.get(timeout=120) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    assert all(status == 200 for status, _ in results), results
    for process in processes:
        process.close()
    answers.close()
    answers.join_thread()
    _assert_once(session, [answer for _, answer in results], devices)

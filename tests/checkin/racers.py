"""What the spawned processes of the concurrency tests run: an app of their own (its own engine and
connections), a request through its test client, the answer back through a queue."""

from __future__ import annotations

import uuid


def scan_in_own_process(config: dict, slug: str, token: str, code: str, scanned_at: str, go, answers) -> None:
    from eventapp import create_app
    from eventapp.db import db

    app = create_app(config)
    client = app.test_client()
    client.get("/api/v1/openapi.json")  # warm up: imports, first connection, before the start signal
    try:
        go.wait(60)
        response = client.post(f"/api/v1/events/{slug}/checkins",
                               json={"code": code, "nonce": uuid.uuid4().hex, "direction": "in",
                                     "scanned_at": scanned_at},
                               headers={"Authorization": f"Bearer {token}"})
        answers.put((response.status_code, response.get_json()))
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        answers.put((0, repr(exc)))
    finally:
        with app.app_context():
            db.engine.dispose()

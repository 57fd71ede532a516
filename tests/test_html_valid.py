"""Every page's HTML passes the Nu HTML checker (vnu.jar from npm's vnu-jar, on Java): public and organiser
pages, in Japanese and English, and the forms with their errors shown. One JVM checks all pages at once.

Any error fails the test. Warnings fail it too, except the kinds listed in ALLOWED_WARNINGS, each with the
reason it is not worth changing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ORGANISER_PASSWORD, login
from tests.helpers import csrf_token_from, form_data, submission_id_from
from tests.site_tour import (
    build_site,
    organiser_error_forms,
    organiser_pages,
    public_error_forms,
    public_pages,
)

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# message (a regular expression on vnu's text) → why it may stay.
ALLOWED_WARNINGS: dict[str, str] = {}


def _java() -> str:
    java = shutil.which("java")
    problem = ("Java is needed for the HTML checker (apt-get install default-jre-headless)" if java is None else
               f"{VNU_JAR} is missing: run `npm ci`" if not VNU_JAR.is_file() else "")
    if problem:
        if os.environ.get("CI") or os.environ.get("EVENTAPP_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    assert java is not None
    return java


def _get(client, path: str, expected: tuple[int, ...] = (200,)) -> str:
    response = client.get(path)
    assert response.status_code in expected, f"{path}: {response.status_code}"
    return response.get_data(as_text=True)


def _with_errors(client, form) -> str:
    page = client.get(form.path)
    assert page.status_code == 200, f"{form.path}: {page.status_code}"
    data = {"csrf_token": csrf_token_from(page), **form.data}
    submission = re.search(r'name="submission_id"[^>]*value="([^"]*)"', page.get_data(as_text=True))
    if submission:
        data["submission_id"] = submission.group(1)
    response = client.post(form.path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 422), f"{form.path}: {response.status_code}"
    assert 'id="error-summary"' in html, f"{form.name}: no errors shown"
    return html


def _vnu(java: str, files: list[Path]) -> list[dict]:
    # The JVM runs on the real clock: under faketime (.ci/run) LD_PRELOAD would shift it too. No timeout=:
    # subprocess waits for one with time.sleep(), which fails under faketime.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)],
                            capture_output=True, text=True, env=env, check=False)
    assert result.stdout, f"vnu printed nothing (exit {result.returncode}): {result.stderr[-2000:]}"
    return json.loads(result.stdout)["messages"]


def test_every_page_is_valid_html(app, client, organiser, session, tmp_path):
    java = _java()
    site = build_site(session, app)
    organiser_client = app.test_client()
    assert login(organiser_client, organiser.email, ORGANISER_PASSWORD).status_code == 302
    files: list[Path] = []

    def keep(name: str, html: str) -> None:
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)

    for locale in ("ja", "en"):
        for c in (client, organiser_client):
            c.set_cookie("lang", locale)
        for page in public_pages(site):
            expected = (404,) if page.name == "error-404" else (410,) if page.name == "error-410" else (200,)
            keep(f"{locale}-{page.name}", _get(client, page.path, expected))
        for page in organiser_pages(site):
            keep(f"{locale}-{page.name}", _get(organiser_client, page.path))
        for form in public_error_forms(site):
            keep(f"{locale}-{form.name}", _with_errors(app.test_client(), form) if form.name == "login-errors"
                 else _with_errors(client, form))
        for form in organiser_error_forms(site):
            keep(f"{locale}-{form.name}", _with_errors(organiser_client, form))
        # the confirmation after registering (the form's own submission id, from the same browser)
        form = client.get(f"/events/{site.slug}/register")
        done = client.post(f"/events/{site.slug}/register", data=form_data(
            email=f"tour-{locale}@example.jp", email_confirm=f"tour-{locale}@example.jp",
            csrf_token=csrf_token_from(form), submission_id=submission_id_from(form)))
        assert done.status_code == 302, done.get_data(as_text=True)[:500]
        keep(f"{locale}-registered", _get(client, done.headers["Location"]))
        # the same address again: "already registered", with the form that re-sends the link
        form = client.get(f"/events/{site.slug}/register")
        again = client.post(f"/events/{site.slug}/register", data=form_data(
            email=f"tour-{locale}@example.jp", email_confirm=f"tour-{locale}@example.jp",
            csrf_token=csrf_token_from(form), submission_id=submission_id_from(form)))
        assert again.status_code == 409
        keep(f"{locale}-already-registered", again.get_data(as_text=True))

    # A page with a known mistake proves that the checker read the files and reports what it finds.
    keep("canary", "<!doctype html><html lang=ja><title>x</title><p id=a>1</p><p id=a>2</p>")
    assert len(files) > 80
    problems: dict[str, list[str]] = {}  # message → where (page:line «extract»)
    messages = _vnu(java, files)
    canary = [m for m in messages if Path(m.get("url", "")).stem == "canary"]
    assert any("Duplicate ID" in m["message"] for m in canary), canary
    for m in messages:
        if m in canary:
            continue
        if m.get("type") == "info" and m.get("subType") != "warning":
            continue
        if m.get("subType") == "warning" and any(re.search(p, m["message"]) for p in ALLOWED_WARNINGS):
            continue
        kind = "warning" if m.get("subType") == "warning" else m.get("type", "?")
        where = f"{Path(m.get('url', '')).stem}:{m.get('lastLine', '?')} «{' '.join(m.get('extract', '').split())}»"
        problems.setdefault(f"{kind}: {m['message']}", []).append(where)
    assert not problems, f"{len(problems)} kinds of HTML problem:\n" + "\n".join(
        f"- {message}\n    " + "\n    ".join(where[:4]) + (f"\n    … and {len(where) - 4} more" if len(where) > 4 else "")
        for message, where in problems.items())

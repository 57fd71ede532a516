"""`flask users create` and `flask registrations export`, run through Click's test runner."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from eventapp.accounts.models import Role, User
from tests.helpers import make_event, make_registration


def _create(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=["users", "create", *args], input=input)


def test_creates_organiser_and_staff_with_hashed_passwords(app, session):
    result = _create(app, "--email", "Jimukyoku@Example.jp", "--name", "事務局 太郎", "--role", "organiser",
                     "--password", "correct horse battery")
    assert result.exit_code == 0, result.output
    assert "created organiser jimukyoku@example.jp" in result.output
    result = _create(app, "--email", "uketsuke@example.jp", "--name", "受付 花子", "--role", "staff",
                     input="door-password-1\ndoor-password-1\n")  # asked for, twice, never echoed
    assert result.exit_code == 0, result.output
    assert "door-password-1" not in result.output

    session.rollback()
    organiser = session.scalar(select(User).where(User.email == "jimukyoku@example.jp"))
    staff = session.scalar(select(User).where(User.email == "uketsuke@example.jp"))
    assert organiser.role == Role.ORGANISER and staff.role == Role.STAFF
    assert organiser.display_name == "事務局 太郎"
    for user, password in ((organiser, "correct horse battery"), (staff, "door-password-1")):
        assert user.password_hash.startswith("scrypt:")
        assert password not in user.password_hash
        assert user.check_password(password) and not user.check_password(password + "x")


def test_refuses_a_duplicate(app, session):
    assert _create(app, "--email", "a@example.jp", "--name", "A", "--password", "long-enough-1").exit_code == 0
    result = _create(app, "--email", "A@EXAMPLE.JP", "--name", "B", "--password", "long-enough-2")
    assert result.exit_code == 1
    assert "Error: a user with e-mail a@example.jp exists already" in result.output
    session.rollback()
    assert session.scalar(select(func.count(User.id))) == 1


def test_refuses_a_short_password(app, session):
    result = _create(app, "--email", "b@example.jp", "--name", "B", "--password", "short")
    assert result.exit_code == 1
    assert "Error: password must have at least 10 characters" in result.output
    assert session.scalar(select(func.count(User.id))) == 0


def test_refuses_an_invalid_email_or_role(app, session):
    result = _create(app, "--email", "not-an-address", "--name", "C", "--password", "long-enough-3")
    assert result.exit_code == 1
    assert "Error:" in result.output and "not-an-address" in result.output
    result = _create(app, "--email", "c@example.jp", "--name", "C", "--role", "admin", "--password", "long-enough-3")
    assert result.exit_code == 2 and "'admin' is not one of 'organiser', 'staff'" in result.output
    session.rollback()
    assert session.scalar(select(func.count(User.id))) == 0


def _export(app, *args: str):
    return app.test_cli_runner().invoke(args=["registrations", "export", *args])


def test_export_refuses_unknown_event_and_suffix(app, session, tmp_path):
    event = make_event(session)
    result = _export(app, "--event", "no-such-event", "--out", str(tmp_path / "x.csv"))
    assert result.exit_code == 1 and "Error: no event with slug 'no-such-event'" in result.output
    result = _export(app, "--event", event.slug, "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 1 and "unknown format '.pdf': use .csv or .xlsx" in result.output
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.pdf").exists()


def test_export_writes_csv_for_excel_and_xlsx(app, session, tmp_path):
    event = make_event(session)
    make_registration(session, event, n=1, family_name="髙﨑")
    make_registration(session, event, n=2)
    result = _export(app, "--event", event.slug, "--out", str(tmp_path / "list.CSV"))
    assert result.exit_code == 0, result.output
    assert "wrote 2 registrations" in result.output
    data = (tmp_path / "list.CSV").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    assert "髙﨑" in data.decode("utf-8-sig")

    result = _export(app, "--event", event.slug, "--out", str(tmp_path / "list.xlsx"))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(io.BytesIO((tmp_path / "list.xlsx").read_bytes())).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert any("髙﨑" in value for value in cells)
    assert sheet.max_row == 3  # header and two people

"""The organisers' registration list: access, search, filters, 五十音 order, pages."""

from __future__ import annotations

import pytest

from eventapp.events.models import CategoryCode, EventStatus
from eventapp.registration.models import RegistrationStatus
from eventapp.registration.queries import RegistrationFilters, ordered_statement
from eventapp.web import paginate
from tests.helpers import event_day, make_event, make_registration
from tests.registration.admin_support import body, make_group, person

ADMIN_PAGES = ["/admin/registrations", "/admin/registrations/export.csv", "/admin/registrations/export.xlsx",
               "/admin/registrations/import", "/admin/registrations/import/template.csv"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_is_sent_to_login(client, session, path):
    make_event(session)
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_staff_is_refused(staff_client, session, path):
    make_event(session)
    assert staff_client.get(path).status_code == 403


def test_list_shows_the_latest_published_event_by_default(organiser_client, session, now):
    old = make_event(session, slug="godo-2026", now=now, event_date=event_day(now, years=-1))
    make_event(session, slug="godo-2027", now=now)
    make_event(session, slug="godo-2028", now=now, event_date=event_day(now, years=1), status=EventStatus.DRAFT)
    make_registration(session, old, 1, family_name="去年")
    page = body(organiser_client.get("/admin/registrations"))
    assert 'value="godo-2027" selected' in page
    assert "去年" not in page
    page = body(organiser_client.get("/admin/registrations?event=godo-2026"))
    assert "去年" in page
    assert organiser_client.get("/admin/registrations?event=nope").status_code == 404


def test_list_without_any_event(organiser_client):
    response = organiser_client.get("/admin/registrations")
    assert response.status_code == 200
    assert "/admin/events/new" in body(response)


def test_search_by_hiragana_and_half_width_kana_finds_katakana_readings(organiser_client, session):
    event = make_event(session)
    person(session, event, 1, "山田", "ヤマダ")
    person(session, event, 2, "鈴木", "スズキ", company_name="株式会社ミナト精機", email="hanako@minato.example.jp")
    for query, found, missing in (("やまだ", "山田", "鈴木"), ("ｽｽﾞｷ", "鈴木", "山田"), ("すずき　たろう", "鈴木", "山田"),
                                  ("ミナト", "鈴木", "山田"), ("MINATO.EXAMPLE", "鈴木", "山田"),
                                  ("山田太郎1", "山田", "鈴木")):
        page = body(organiser_client.get("/admin/registrations", query_string={"q": query}))
        assert f">{found} " in page, query
        assert f">{missing} " not in page, query


def test_search_by_receipt_code_and_phone(organiser_client, session):
    event = make_event(session)
    yamada = person(session, event, 1, "山田", "ヤマダ", phone="09011112222")
    person(session, event, 2, "鈴木", "スズキ")
    page = body(organiser_client.get("/admin/registrations", query_string={"q": yamada.receipt_code}))
    assert "山田" in page and "鈴木" not in page
    page = body(organiser_client.get("/admin/registrations", query_string={"q": "090-1111"}))
    assert "山田" in page and "鈴木" not in page


def test_search_treats_percent_and_underscore_literally(organiser_client, session):
    event = make_event(session)
    person(session, event, 1, "山田", "ヤマダ")
    page = body(organiser_client.get("/admin/registrations", query_string={"q": "%"}))
    assert "山田" not in page


def _positions(page: str, names: list[str]) -> list[int]:
    positions = [page.index(f">{name} ") for name in names]
    return positions


def test_default_order_is_gojuon(organiser_client, session):
    event = make_event(session)
    for n, (name, kana) in enumerate([("木村", "キムラ"), ("蒲生", "ガモウ"), ("川井", "カワイ"), ("青木", "アオキ"),
                                      ("加藤", "カトウ")], start=1):
        person(session, event, n, name, kana)
    page = body(organiser_client.get("/admin/registrations"))
    # ア before カ; ガ sorts with カ (カトウ < ガモウ < カワイ), not after every カ as code points would.
    positions = _positions(page, ["青木", "加藤", "蒲生", "川井", "木村"])
    assert positions == sorted(positions)


def test_long_vowel_mark_sorts_as_its_vowel(session, app):
    event = make_event(session)
    person(session, event, 1, "大野", "オオノ")
    person(session, event, 2, "大北", "オーキタ")  # ー reads as オ: オオキタ < オオノ
    rows = session.scalars(ordered_statement(event)).unique().all()
    assert [r.family_name for r in rows] == ["大北", "大野"]


def test_other_sort_orders(organiser_client, session):
    event = make_event(session)
    first = person(session, event, 1, "渡辺", "ワタナベ", company_name="株式会社アサヒ製作所", company_kana="カブシキガイシャアサヒセイサクショ")
    second = person(session, event, 2, "青木", "アオキ", company_name="有限会社ワカバ", company_kana="ユウゲンガイシャワカバ")
    newest = body(organiser_client.get("/admin/registrations?sort=newest"))
    assert newest.index(">青木 ") < newest.index(">渡辺 ")
    by_company = body(organiser_client.get("/admin/registrations?sort=company"))
    assert by_company.index(">渡辺 ") < by_company.index(">青木 ")  # アサヒ before ワカバ; legal forms ignored
    by_receipt = body(organiser_client.get("/admin/registrations?sort=receipt"))
    ordered = sorted([first, second], key=lambda r: r.receipt_code)
    assert by_receipt.index(f">{ordered[0].family_name} ") < by_receipt.index(f">{ordered[1].family_name} ")


def test_filters_by_category_status_and_group(organiser_client, session):
    event = make_event(session, capacity=2)
    group = make_group(session)
    person(session, event, 1, "会員", "カイイン", category_code=CategoryCode.MEMBER.value, group_id=group.id)
    person(session, event, 2, "一般", "イッパン")
    person(session, event, 3, "補欠", "ホケツ")  # capacity 2: waiting list
    page = body(organiser_client.get("/admin/registrations?category=member"))
    assert ">会員 " in page and ">一般 " not in page
    page = body(organiser_client.get("/admin/registrations?status=waitlisted"))
    assert ">補欠 " in page and ">会員 " not in page and ">一般 " not in page
    page = body(organiser_client.get(f"/admin/registrations?group={group.id}"))
    assert ">会員 " in page and ">一般 " not in page
    page = body(organiser_client.get("/admin/registrations?group=none"))
    assert ">会員 " not in page and ">一般 " in page
    page = body(organiser_client.get("/admin/registrations?status=confirmed&category=general"))
    assert ">一般 " in page and ">会員 " not in page and ">補欠 " not in page


def test_counts_are_shown(organiser_client, session):
    event = make_event(session, capacity=1)
    person(session, event, 1, "山田", "ヤマダ")
    person(session, event, 2, "鈴木", "スズキ")
    page = body(organiser_client.get("/admin/registrations"))
    assert '<span class="reg-count">2</span>' in page  # all
    assert page.count('<span class="reg-count">1</span>') == 2  # one confirmed, one waiting


def test_pages_of_fifty(organiser_client, session, app):
    event = make_event(session, capacity=500)
    digits = "アイウエオカキクケコ"  # readings in 五十音 order: 00 → アア, 54 → カオ
    for n in range(55):
        make_registration(session, event, n, family_name=f"名前{n:02d}",
                          family_kana=digits[n // 10] + digits[n % 10])
    first = body(organiser_client.get("/admin/registrations"))
    assert first.count('class="reg-name"') == 50
    assert "page=2" in first
    second = body(organiser_client.get("/admin/registrations?page=2"))
    assert second.count('class="reg-name"') == 5
    assert "名前54" in second and "名前00" not in second
    with app.app_context():
        result = paginate(ordered_statement(event), page=99)
    assert result.page == 2 and result.total == 55


@pytest.mark.parametrize("query", ["status=bogus&category=x&group=abc&sort=zzz&page=-4",
                                   "page=abc", "q=" + "あ" * 500, "group=99999", "group=" + "9" * 30,
                                   "page=" + "9" * 30, "q=%25_%5C%00"])
def test_odd_query_strings_never_fail(organiser_client, session, query):
    event = make_event(session)
    person(session, event, 1, "山田", "ヤマダ")
    expected = 400 if "%00" in query else 200  # a NUL byte is refused before any view
    assert organiser_client.get(f"/admin/registrations?{query}").status_code == expected


def test_html_in_answers_is_escaped(organiser_client, session):
    event = make_event(session)
    person(session, event, 1, "<b>x</b>", "ヤマダ", company_name="<script>alert(1)</script>")
    page = body(organiser_client.get("/admin/registrations"))
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_export_links_keep_the_filters(organiser_client, session):
    make_event(session)
    page = body(organiser_client.get("/admin/registrations?status=confirmed&q=%E5%B1%B1"))
    assert "/admin/registrations/export.csv?event=godo-2027&amp;q=%E5%B1%B1&amp;status=confirmed" in page


def test_filters_object_drops_unknown_values():
    filters = RegistrationFilters.clean(q=" ﾔﾏﾀﾞ ", category="nope", status=RegistrationStatus.CANCELLED.value,
                                        group="1; drop")
    assert filters == RegistrationFilters(q="ヤマダ", category="", status="cancelled", group="")

"""Organiser pages for exchange groups and companies."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from eventapp.directory import services
from eventapp.directory.models import Company, ExchangeGroup
from tests.helpers import csrf_token_from


def make_group(session, name="プラザ62", reading="プラザロクジュウニ", **extra) -> ExchangeGroup:
    group = services.create_group(session, details=services.GroupDetails(name=name, reading=reading, **extra))
    session.commit()
    return group


def make_company(session, name, reading="", *, groups, industry_code="E", **extra) -> Company:
    company = services.create_company(session, details=services.CompanyDetails(
        name=name, reading=reading, industry_code=industry_code, group_ids=[g.id for g in groups], **extra))
    session.commit()
    return company


DIGIT_KANA = "アイウエオカキクケコ"  # in 五十音 order, like 0–9


def company_names(body: str) -> list[str]:
    return re.findall(r'<a href="/admin/companies/\d+">([^<]+)</a>', body)


def field_errors(response) -> dict[str, str]:
    """Field id → the error shown next to it (each message starts with the field's label)."""
    return dict(re.findall(r'<p class="error" id="([\w-]+)-error">([^<]*)</p>', response.get_data(as_text=True)))


def post_form(client, url, **data):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={"csrf_token": csrf_token_from(page), **data})


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/groups", "/admin/groups/new", "/admin/companies", "/admin/companies/new",
                                 "/admin/groups/import", "/admin/companies/import", "/admin/groups/template.csv",
                                 "/admin/companies.csv"])
def test_staff_gets_403_and_visitors_must_log_in(app, staff_client, url):
    assert staff_client.get(url).status_code == 403
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_staff_cannot_post(session, staff_client):
    group = make_group(session)
    assert staff_client.post(f"/admin/groups/{group.id}", data={"name": "x"}).status_code in (400, 403)
    assert staff_client.post(f"/admin/groups/{group.id}/delete").status_code in (400, 403)
    assert session.get(ExchangeGroup, group.id).name == "プラザ62"


# --- groups ------------------------------------------------------------------------------------


def test_create_group_normalises_reading_and_year(session, organiser_client):
    response = post_form(organiser_client, "/admin/groups/new", name="プラザ６２", reading="ぷらざろくじゅうに",
                         founded_year="昭和62年", representative="日野 捷吉郎", website="http://plaza62.net/",
                         description="ソフトウェアや電子機器メーカーの経営者が中心です。")
    assert response.status_code == 302, response.get_data(as_text=True)
    group = session.scalar(select(ExchangeGroup))
    assert (group.name, group.reading, group.founded_year) == ("プラザ62", "プラザロクジュウニ", 1987)
    assert group.sort_key.startswith("フラサロク")
    listing = organiser_client.get("/admin/groups").get_data(as_text=True)
    assert "プラザ62" in listing and "昭和62年" in listing


def test_group_form_errors_name_the_field(session, organiser_client):
    make_group(session)
    response = post_form(organiser_client, "/admin/groups/new", name="", reading="山田", founded_year="abc",
                         website="plaza62.net")
    assert response.status_code == 422
    errors = field_errors(response)
    assert set(errors) == {"name", "reading", "founded_year", "website"}
    assert all(message.startswith(("グループ名：", "グループ名フリガナ：", "設立年：", "ウェブサイト：")) for message in errors.values())
    assert "1987" in errors["founded_year"] and "https://" in errors["website"]  # each says what to type
    taken = post_form(organiser_client, "/admin/groups/new", name="プラザ62", reading="プラザ")
    assert taken.status_code == 422
    assert set(field_errors(taken)) == {"name"}
    assert session.scalar(select(func.count(ExchangeGroup.id))) == 1


def test_groups_listed_in_gojuon_order_with_member_counts(session, organiser_client):
    plaza = make_group(session)
    make_group(session, "アカシア会", "あかしあかい")
    vega = make_group(session, "ヴェガ21", "ヴェガニジュウイチ")
    make_company(session, "株式会社エタニ電機", "エタニデンキ", groups=[plaza])
    make_company(session, "東都精工株式会社", "トウトセイコウ", groups=[plaza, vega])
    body = organiser_client.get("/admin/groups").get_data(as_text=True)
    order = [body.index(name) for name in ("アカシア会", "ヴェガ21", "プラザ62")]
    assert order == sorted(order)  # ヴ sorts as ウ, between ア and フ
    counts = {int(g): int(n) for g, n in re.findall(r'href="/admin/companies\?group=(\d+)"[^>]*>(\d+)</a>', body)}
    assert counts == {plaza.id: 2, vega.id: 1, plaza.id + 1: 0}


def test_group_page_lists_companies_and_saves_changes(session, organiser_client):
    group = make_group(session)
    make_company(session, "株式会社エタニ電機", "エタニデンキ", groups=[group])
    page = organiser_client.get(f"/admin/groups/{group.id}")
    assert "株式会社エタニ電機" in page.get_data(as_text=True)
    response = organiser_client.post(f"/admin/groups/{group.id}", data={
        "csrf_token": csrf_token_from(page), "name": "プラザ62", "reading": "プラザロクジュウニ",
        "founded_year": "1987", "representative": "日野 捷吉郎", "website": "", "description": "月1回の定例会"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ExchangeGroup, group.id).description == "月1回の定例会"


def test_only_an_empty_group_can_be_deleted(session, organiser_client):
    full = make_group(session)
    empty = make_group(session, "城南テクノ交流会", "ジョウナンテクノコウリュウカイ")
    make_company(session, "株式会社エタニ電機", "エタニデンキ", groups=[full])
    token = csrf_token_from(organiser_client.get(f"/admin/groups/{full.id}"))
    refused = organiser_client.post(f"/admin/groups/{full.id}/delete", data={"csrf_token": token})
    assert refused.status_code == 302
    assert session.get(ExchangeGroup, full.id) is not None
    empty_id = empty.id
    done = organiser_client.post(f"/admin/groups/{empty_id}/delete", data={"csrf_token": token})
    assert done.status_code == 302
    assert session.get(ExchangeGroup, empty_id) is None
    assert organiser_client.post("/admin/groups/99999/delete", data={"csrf_token": token}).status_code == 404


# --- companies ---------------------------------------------------------------------------------


@pytest.fixture
def directory(session):
    plaza = make_group(session)
    jonan = make_group(session, "城南テクノ交流会", "ジョウナンテクノコウリュウカイ")
    make_company(session, "株式会社ワタナベ製作所", "カブシキガイシャワタナベセイサクショ", groups=[plaza])
    make_company(session, "アオバ電機株式会社", "アオバデンキ", groups=[plaza, jonan])
    make_company(session, "(有)カトウ工業", "かとうこうぎょう", groups=[jonan])
    make_company(session, "株式会社ゼット", "カブシキガイシャゼット", groups=[jonan], industry_code="G")
    make_company(session, "キタムラシステム合同会社", "キタムラシステム", groups=[plaza], industry_code="G")
    make_company(session, "Nihon Soft株式会社", "", groups=[plaza], industry_code="G")
    return {"plaza": plaza, "jonan": jonan}


def test_companies_in_gojuon_order_ignoring_legal_form(organiser_client, directory):
    body = organiser_client.get("/admin/companies").get_data(as_text=True)
    assert company_names(body) == ["アオバ電機株式会社", "(有)カトウ工業", "キタムラシステム合同会社",
                                   "株式会社ゼット", "株式会社ワタナベ製作所", "Nihon Soft株式会社"]


@pytest.mark.parametrize("query, expected", [
    ("あおば", ["アオバ電機株式会社"]),  # hiragana finds the katakana reading
    ("ｶﾄｳ", ["(有)カトウ工業"]),  # half-width kana
    ("わたなべ せいさくしょ", ["株式会社ワタナベ製作所"]),  # spaces ignored
    ("電機", ["アオバ電機株式会社"]),  # by name
    ("nihon", ["Nihon Soft株式会社"]),  # latin letters, any case
    ("％", []),  # LIKE wildcards are literal
    ("_", []),
])
def test_company_search(organiser_client, directory, query, expected):
    response = organiser_client.get("/admin/companies", query_string={"q": query})
    assert response.status_code == 200
    assert company_names(response.get_data(as_text=True)) == expected


def test_company_filters_by_group_and_industry(organiser_client, directory):
    by_group = organiser_client.get("/admin/companies", query_string={"group": directory["jonan"].id})
    assert company_names(by_group.get_data(as_text=True)) == ["アオバ電機株式会社", "(有)カトウ工業", "株式会社ゼット"]
    both = organiser_client.get("/admin/companies", query_string={"group": directory["plaza"].id, "industry": "g"})
    assert company_names(both.get_data(as_text=True)) == ["キタムラシステム合同会社", "Nihon Soft株式会社"]
    nonsense = organiser_client.get("/admin/companies", query_string={"group": "x", "industry": "Z", "page": "-3"})
    assert nonsense.status_code == 200 and len(company_names(nonsense.get_data(as_text=True))) == 6


def test_company_list_pages_by_fifty(session, organiser_client):
    group = make_group(session)
    for n in range(62):
        services.create_company(session, details=services.CompanyDetails(
            name=f"株式会社テスト{n:02d}", reading="テスト" + DIGIT_KANA[n // 10] + DIGIT_KANA[n % 10], industry_code="E", group_ids=[group.id]))
    session.commit()
    first = organiser_client.get("/admin/companies").get_data(as_text=True)
    assert len(company_names(first)) == 50 and 'rel="next"' in first
    second = organiser_client.get("/admin/companies?page=2").get_data(as_text=True)
    assert company_names(second) == [f"株式会社テスト{n:02d}" for n in range(50, 62)]
    beyond = organiser_client.get("/admin/companies?page=99").get_data(as_text=True)
    assert company_names(beyond) == company_names(second)
    assert organiser_client.get("/admin/companies?page=abc").status_code == 200


def test_create_company_with_several_groups(session, organiser_client, directory):
    response = post_form(organiser_client, "/admin/companies/new", name="株式会社 サンプル製作所",
                         reading="さんぷるせいさくしょ", industry_code="E", website="https://example.co.jp/",
                         description="試作と板金", group_ids=[str(directory["plaza"].id), str(directory["jonan"].id)])
    assert response.status_code == 302, response.get_data(as_text=True)
    company = session.scalar(select(Company).where(Company.name == "株式会社 サンプル製作所"))
    assert company.reading == "サンプルセイサクショ"
    assert {g.name for g in company.groups} == {"プラザ62", "城南テクノ交流会"}
    page = organiser_client.get(f"/admin/companies/{company.id}").get_data(as_text=True)
    assert page.count('checked') == 2


def test_company_form_errors(session, organiser_client, directory):
    response = post_form(organiser_client, "/admin/companies/new", name="株式会社ワタナベ製作所", reading="渡辺",
                         industry_code="Z", website="javascript:alert(1)")
    assert response.status_code == 422
    assert set(field_errors(response)) == {"reading", "industry_code", "group_ids", "website"}
    taken = post_form(organiser_client, "/admin/companies/new", name="株式会社ワタナベ製作所",
                      group_ids=[str(directory["plaza"].id)], industry_code="")
    assert taken.status_code == 422 and set(field_errors(taken)) == {"name"}
    tampered = post_form(organiser_client, "/admin/companies/new", name="新しい会社", group_ids=["99999", "abc", "²", "9" * 5000],
                         industry_code="")
    assert tampered.status_code == 422 and set(field_errors(tampered)) == {"group_ids"}
    assert session.scalar(select(func.count(Company.id))) == 6


def test_edit_and_delete_company(session, organiser_client, directory):
    company = session.scalar(select(Company).where(Company.name == "(有)カトウ工業"))
    page = organiser_client.get(f"/admin/companies/{company.id}")
    token = csrf_token_from(page)
    response = organiser_client.post(f"/admin/companies/{company.id}", data={
        "csrf_token": token, "name": "有限会社カトウ工業", "reading": "カトウコウギョウ", "industry_code": "E",
        "website": "", "description": "", "group_ids": [str(directory["plaza"].id)]})
    assert response.status_code == 302
    session.expire_all()
    company = session.get(Company, company.id)
    assert company.name == "有限会社カトウ工業" and [g.name for g in company.groups] == ["プラザ62"]
    company_id = company.id
    assert organiser_client.post(f"/admin/companies/{company_id}/delete", data={"csrf_token": token}).status_code == 302
    assert session.get(Company, company_id) is None
    assert organiser_client.get(f"/admin/companies/{company_id}").status_code == 404


def test_new_company_from_group_page_preselects_group(organiser_client, directory):
    body = organiser_client.get(f"/admin/companies/new?group={directory['jonan'].id}").get_data(as_text=True)
    assert re.search(rf'value="{directory["jonan"].id}"[^>]*checked|checked[^>]*value="{directory["jonan"].id}"', body)


def test_pages_have_no_inline_style_or_script(organiser_client, directory):
    for url in ("/admin/groups", f"/admin/groups/{directory['plaza'].id}", "/admin/companies",
                "/admin/companies/new", "/admin/groups/import", "/admin/companies/import"):
        body = organiser_client.get(url).get_data(as_text=True)
        assert " style=" not in body and not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert "directory.css" in body


@pytest.mark.parametrize("url", [
    "/admin/groups/99999999999999999999999", "/admin/companies/9223372036854775808",
    "/admin/companies?group=99999999999999999999999&page=99999999999999999999&q=%00%25",
    "/admin/companies?page=-99999999999999999999",
])
def test_odd_ids_and_parameters_never_fail(organiser_client, directory, url):
    assert organiser_client.get(url).status_code in ((400,) if "%00" in url else (200, 404))  # NUL: refused


def test_overlong_reading_is_a_form_error_not_a_crash(session, organiser_client, directory):
    response = post_form(organiser_client, "/admin/groups/new", name="長い読みの会", reading="ア" * 150)
    assert response.status_code == 422 and set(field_errors(response)) == {"reading"}
    fits = post_form(organiser_client, "/admin/groups/new", name="長い読みの会", reading="ア" * 140)
    assert fits.status_code == 302

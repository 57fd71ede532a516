"""Directory services: rules that hold whoever calls them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventapp.directory import services
from eventapp.directory.models import Company, ExchangeGroup
from eventapp.directory.values import parse_industry, parse_year, split_group_names


def test_name_taken_by_a_concurrent_request_is_a_domain_error(session, monkeypatch):
    group = services.create_group(session, details=services.GroupDetails(name="プラザ62", reading="プラザ"))
    session.commit()
    # As if another request inserted the name between our check and our insert:
    monkeypatch.setattr(services, "_checked_group", lambda s, details, group_id: details.normalised())
    with pytest.raises(services.GroupNameTaken):
        services.create_group(session, details=services.GroupDetails(name="プラザ62", reading="プラザ"))
    # the caller's transaction is still usable
    services.create_company(session, details=services.CompanyDetails(name="株式会社A", group_ids=[group.id]))
    session.commit()
    assert session.scalar(select(func.count(ExchangeGroup.id))) == 1
    assert session.scalar(select(func.count(Company.id))) == 1


def test_company_rules(session):
    group = services.create_group(session, details=services.GroupDetails(name="プラザ62", reading="ぷらざ"))
    with pytest.raises(services.GroupRequired):
        services.create_company(session, details=services.CompanyDetails(name="株式会社A"))
    with pytest.raises(services.UnknownGroup):
        services.create_company(session, details=services.CompanyDetails(name="株式会社A", group_ids=[group.id + 1]))
    with pytest.raises(services.UnknownIndustry):
        services.create_company(session, details=services.CompanyDetails(name="株式会社A", industry_code="Z",
                                                                         group_ids=[group.id]))
    with pytest.raises(services.InvalidReading):
        services.create_company(session, details=services.CompanyDetails(name="株式会社A", reading="漢字",
                                                                         group_ids=[group.id]))
    company = services.create_company(session, details=services.CompanyDetails(
        name=" 株式会社　Ａ ", reading="ｴｰ", industry_code="e", group_ids=[group.id, group.id]))
    assert (company.name, company.reading, company.industry_code) == ("株式会社 A", "エー", "E")
    assert company.sort_key.startswith("エエ")  # ー takes the vowel before it
    with pytest.raises(services.CompanyNameTaken):
        services.create_company(session, details=services.CompanyDetails(name="株式会社 A", group_ids=[group.id]))


@pytest.mark.parametrize("text, year", [("1987", 1987), ("１９８７年", 1987), ("昭和62年", 1987), ("S62", 1987),
                                        ("平成元年", 1989), ("令和7年度", 2025), ("", None)])
def test_parse_year(text, year):
    assert parse_year(text) == year


@pytest.mark.parametrize("text", ["87", "昭和0年", "1850", "abc", "令和100年"])
def test_parse_year_refuses(text):
    with pytest.raises(ValueError):
        parse_year(text)


@pytest.mark.parametrize("text, code", [("E", "E"), ("ｇ", "G"), ("製造業", "E"), ("E 製造業", "E"),
                                        ("農業，林業", "A"), ("農業,林業", "A"), ("Manufacturing", "E"), ("", "")])
def test_parse_industry(text, code):
    assert parse_industry(text) == code


def test_split_group_names():
    assert split_group_names("プラザ62／城南テクノ交流会; あけぼの会 | プラザ62") == ["プラザ62", "城南テクノ交流会", "あけぼの会"]


def test_deleting_a_group_keeps_registrations_that_named_it(session):
    from eventapp.registration.models import Registration
    from tests.helpers import make_event, make_registration

    group = services.create_group(session, details=services.GroupDetails(name="わかば会", reading="ワカバカイ"))
    session.commit()
    registration = make_registration(session, make_event(session), group_id=group.id)
    services.delete_group(session, group)
    session.commit()
    session.expire_all()
    kept = session.get(Registration, registration.id)
    assert kept is not None and kept.group_id is None and kept.company_name == "株式会社サンプル"

"""Who gets a badge, what it says, printing marks, and re-issuing a lost badge."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from eventapp.badges.design import BadgeView, build_badge
from eventapp.badges.layouts import LayoutSpec, check_fits
from eventapp.badges.models import SheetLayout
from eventapp.events.models import Event, EventCategory
from eventapp.registration.models import Registration, RegistrationChange, RegistrationStatus, RetiredToken
from eventapp.registration.services import new_token
from eventapp.text import company_sort_key


class BadgeOrder(enum.StrEnum):
    GOJUON = "gojuon"  # 五十音 by the person's reading
    COMPANY = "company"
    GROUP = "group"
    RECEIPT = "receipt"  # 受付番号


class EmptyBatch(Exception):
    """Nobody matches: say so instead of making an empty PDF."""


@dataclass
class BadgeSelection:
    category_codes: list[str] = field(default_factory=list)  # empty: all categories
    group_id: int | None = None  # 0: people without a group
    not_printed_only: bool = False
    registered_since: datetime | None = None
    order: BadgeOrder = BadgeOrder.GOJUON

    def to_json(self) -> str:
        data = asdict(self)
        data["registered_since"] = self.registered_since.isoformat() if self.registered_since else None
        data["order"] = self.order.value
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str) -> BadgeSelection:
        data = json.loads(raw)
        since = data.get("registered_since")
        return cls(category_codes=data.get("category_codes") or [], group_id=data.get("group_id"),
                   not_printed_only=bool(data.get("not_printed_only")),
                   registered_since=datetime.fromisoformat(since) if since else None,
                   order=BadgeOrder(data.get("order") or BadgeOrder.GOJUON))


def select_for_badges(session: Session, event: Event, selection: BadgeSelection) -> list[Registration]:
    """Confirmed registrations matching the selection, in the chosen order."""
    stmt = (select(Registration).join(EventCategory, Registration.category_id == EventCategory.id)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .options(selectinload(Registration.group), selectinload(Registration.category)))
    if selection.category_codes:
        stmt = stmt.where(EventCategory.code.in_(selection.category_codes))
    if selection.group_id == 0:
        stmt = stmt.where(Registration.group_id.is_(None))
    elif selection.group_id:
        stmt = stmt.where(Registration.group_id == selection.group_id)
    if selection.not_printed_only:
        stmt = stmt.where(Registration.badge_printed_at.is_(None))
    if selection.registered_since:
        stmt = stmt.where(Registration.created_at >= selection.registered_since)
    people = list(session.scalars(stmt))
    return sorted(people, key=_order_key(selection.order))


def _order_key(order: BadgeOrder) -> Callable[[Registration], Any]:  # a sort key: str or a tuple
    if order == BadgeOrder.COMPANY:
        return lambda r: (company_sort_key(r.company_name, r.company_kana), r.sort_key)
    if order == BadgeOrder.GROUP:
        return lambda r: (r.group is None, r.group.sort_key if r.group else "", r.sort_key)
    if order == BadgeOrder.RECEIPT:
        return lambda r: r.receipt_code
    return lambda r: r.sort_key


def badge_for(registration: Registration, *, design: str) -> BadgeView:
    event = registration.event
    return build_badge(
        registration_id=registration.id, serial=registration.badge_serial, role=registration.category.code.value,
        group=registration.group.name if registration.group else "", company=registration.company_name,
        kana=registration.full_kana, name=registration.full_name, romaji=registration.romaji,
        footer=f"第{event.edition}回 {event.title_ja.split(' ', 1)[-1]}", token=registration.token, design=design,
    )


def mark_printed(session: Session, registration_ids: list[int], *, now: datetime) -> None:
    for start in range(0, len(registration_ids), 500):
        for registration in session.scalars(select(Registration).where(
                Registration.id.in_(registration_ids[start:start + 500]))):
            registration.badge_printed_at = now
            registration.badge_print_count += 1
    session.flush()


def reissue_badge(session: Session, registration: Registration, *, now: datetime, actor: str) -> None:
    """A lost badge: a new token, so the old QR code stops working; the next print shows the new one.
    The old token is kept as retired, so a scan of the lost badge is told apart from an unknown code."""
    session.add(RetiredToken(registration=registration, token=registration.token, retired_at=now))
    registration.token = new_token()
    registration.token_reissued_at = now
    registration.badge_printed_at = None
    session.add(RegistrationChange(registration=registration, actor=actor, action="badge reissued", at=now,
                                   details="{}"))
    session.flush()


def registration_by_token(session: Session, token: str) -> Registration | None:
    """What a scanned QR code names; an old token of a re-issued badge names nobody."""
    return session.scalar(select(Registration).where(Registration.token == token.strip()))


def badge_warnings(badges: list[BadgeView], people: list[Registration]) -> list[str]:
    by_id = {r.id: r for r in people}
    return [f"{by_id[b.registration_id].receipt_code} {by_id[b.registration_id].full_name}: "
            f"{', '.join(b.warnings)}" for b in badges if b.warnings]


def create_layout(session: Session, **values: Any) -> SheetLayout:
    """A new sheet layout; refuses one whose labels do not fit (LayoutError) or whose name is taken."""
    if session.scalar(select(SheetLayout.id).where(SheetLayout.name == values["name"])):
        raise LayoutNameTaken(values["name"])
    layout = SheetLayout(builtin=False, is_default=False, **values)
    check_fits(LayoutSpec.of(layout))
    session.add(layout)
    session.flush()
    return layout


def make_default_layout(session: Session, layout: SheetLayout) -> None:
    for other in session.scalars(select(SheetLayout).where(SheetLayout.is_default.is_(True))):
        other.is_default = False
    layout.is_default = True
    session.flush()


class LayoutNameTaken(Exception):
    pass

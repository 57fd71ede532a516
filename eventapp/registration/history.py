"""A registration's change history (RegistrationChange rows) in words an organiser can read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

from eventapp.directory.industries import industry_name
from eventapp.events.models import Event
from eventapp.registration.forms import RegistrationForm
from eventapp.registration.models import RegistrationChange
from eventapp.text import format_phone, format_postcode

ACTION_LABELS = {
    "registered": _l("Registered"),
    "re-registered": _l("Registered again after a cancellation"),
    "updated": _l("Answers changed"),
    "cancelled": _l("Cancelled"),
    "restored": _l("Cancellation undone"),
    "promoted": _l("Moved up from the waiting list"),
}
STATUS_LABELS = {"confirmed": _l("Confirmed"), "waitlisted": _l("Waiting list"), "cancelled": _l("Cancelled")}
SOURCE_LABELS = {"web": _l("web form"), "import": _l("CSV import"), "organiser": _l("organiser"), "demo": _l("demo")}
ACTOR_LABELS = {"attendee": _l("The attendee (private link)"), "system": _l("System (automatic)")}
EXTRA_LABELS = {"status": _l("Status"), "source": _l("Source"), "category": _l("Attendance category"),
                "locale": _l("Language")}


@dataclass(frozen=True)
class ChangeDetail:
    label: str
    old: str | None  # None when the detail is a value, not a change
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    details: list[ChangeDetail]


def _field_labels() -> dict[str, object]:
    labels = {name: value.args[0] for name, value in vars(RegistrationForm).items()
              if isinstance(value, UnboundField) and value.args}
    return {**labels, **EXTRA_LABELS}


def actor_label(actor: str) -> str:
    """"organiser:someone@example.jp" → "Organiser someone@example.jp"; the attendee and the system by name."""
    if actor.startswith("organiser:"):
        return str(_l("Organiser %(email)s", email=actor.removeprefix("organiser:")))
    if actor.startswith("system:"):  # e.g. "system:demo", "system:import"
        return str(ACTOR_LABELS["system"])
    return str(ACTOR_LABELS.get(actor, actor))


def _readable(key: str, value, *, event: Event, group_names: dict[int, str], locale: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if key == "group_id":
        return group_names.get(value, f"#{value}")
    if key == "category":
        return next((c.label(locale) for c in event.categories if c.code.value == value), str(value))
    if key == "status":
        return str(STATUS_LABELS.get(value, value))
    if key == "source":
        return str(SOURCE_LABELS.get(value, value))
    if key == "industry_code":
        return f"{value} {industry_name(value, locale)}".strip()
    if key == "phone":
        return format_phone(value)
    if key == "postcode":
        return format_postcode(value)
    return str(value)


def history(changes: list[RegistrationChange], *, event: Event, group_names: dict[int, str],
            locale: str) -> list[HistoryEntry]:
    labels = _field_labels()
    entries: list[HistoryEntry] = []
    for change in changes:
        try:
            raw = json.loads(change.details) if change.details else {}
        except ValueError:
            raw = {"details": change.details}
        if not isinstance(raw, dict):
            raw = {"details": raw}
        details: list[ChangeDetail] = []
        for key, value in raw.items():
            label = str(labels.get(key, key))
            if isinstance(value, list) and len(value) == 2:
                old, new = (_readable(key, v, event=event, group_names=group_names, locale=locale) for v in value)
                details.append(ChangeDetail(label, old, new))
            else:
                details.append(ChangeDetail(label, None, _readable(key, value, event=event,
                                                                   group_names=group_names, locale=locale)))
        entries.append(HistoryEntry(change.at, actor_label(change.actor), str(ACTION_LABELS.get(change.action, change.action)),
                                    details))
    return entries

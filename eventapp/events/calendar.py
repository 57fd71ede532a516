"""An .ics file for "add to calendar"."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from eventapp.events.models import Event


def event_ics(event: Event, *, locale: str, url: str = "", now: datetime | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//eventapp//合同交流会//JA")
    calendar.add("version", "2.0")
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.slug}@eventapp")
    entry.add("dtstamp", now or datetime.now(UTC))
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title(locale))
    venue = (event.venue_name_in(locale).text, event.venue_address_in(locale).text)  # English where given
    entry.add("location", " ".join(p for p in venue if p))
    description = "\n".join(p for p in (event.venue_access_in(locale).text, url) if p)
    if description:
        entry.add("description", description)
    if url:
        entry.add("url", url)
    calendar.add_component(entry)
    calendar.add_missing_timezones()  # VTIMEZONE for Asia/Tokyo, as RFC 5545 asks of a TZID
    return calendar.to_ical()

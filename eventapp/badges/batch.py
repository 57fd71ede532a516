"""Batch printing of badges as background work: start a job, run it with progress, keep the PDF."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from eventapp.badges.design import BadgeView
from eventapp.badges.layouts import LayoutSpec, check_fits, layout_named
from eventapp.badges.models import SheetLayout
from eventapp.badges.rendering import render_sheet_pdf, write_badge_sheets
from eventapp.badges.services import (
    BadgeSelection,
    EmptyBatch,
    badge_for,
    badge_warnings,
    mark_printed,
    select_for_badges,
)
from eventapp.events.models import Event
from eventapp.jobs import JobContext, JobOutcome, JobRecord, start_job
from eventapp.registration.models import Registration

JOB_KIND = "badges"


def start_badge_batch(session: Session, event: Event, *, selection: BadgeSelection, layout: SheetLayout,
                      created_by: str) -> JobRecord:
    """Check everything that can be checked before any work, then record the job (the caller enqueues it)."""
    check_fits(LayoutSpec.of(layout))
    people = select_for_badges(session, event, selection)
    if not people:
        raise EmptyBatch()
    return start_job(session, kind=JOB_KIND, total=len(people), created_by=created_by, params={
        "event_id": event.id, "sheet": layout.name, "selection": json.loads(selection.to_json()),
    })


@dataclass(frozen=True)
class PreparedBadges:
    """Everything rendering needs, read from the database; rendering itself touches no database."""

    spec: LayoutSpec
    badges: list[BadgeView]
    registration_ids: list[int]
    warnings: list[str]


def prepare_badges(session: Session, event: Event, *, selection: BadgeSelection,
                   layout: SheetLayout) -> PreparedBadges:
    spec = LayoutSpec.of(layout)
    check_fits(spec)
    people = select_for_badges(session, event, selection)
    if not people:
        raise EmptyBatch()
    badges = [badge_for(person, design=spec.design) for person in people]
    return PreparedBadges(spec=spec, badges=badges, registration_ids=[p.id for p in people],
                          warnings=badge_warnings(badges, people))


def produce_badges_pdf(session: Session, event: Event, *, selection: BadgeSelection, layout: SheetLayout,
                       out_path: Path, now: Callable[[], datetime],
                       progress: Callable[[int], None] | None = None) -> PreparedBadges:
    """Read, then render with no transaction open (SQLite's one write lock is never held for seconds),
    then mark the badges printed. Commits: it is the whole of a job or a command."""
    prepared = prepare_badges(session, event, selection=selection, layout=layout)
    session.commit()
    write_badge_sheets(prepared.badges, prepared.spec, out_path, progress=progress)
    mark_printed(session, prepared.registration_ids, now=now())
    session.commit()
    return prepared


def produce_one_badge_pdf(session: Session, registration: Registration, *, layout: SheetLayout,
                          now: Callable[[], datetime]) -> bytes:
    """One badge again (any sheet): read, render with no transaction open, then mark it printed.
    Commits, like produce_badges_pdf: a POST's transaction on SQLite holds the one write lock, and
    registrations must not wait for a PDF."""
    spec = LayoutSpec.of(layout)
    badge = badge_for(registration, design=spec.design)
    registration_id = registration.id
    session.commit()
    pdf = render_sheet_pdf([badge], spec)
    mark_printed(session, [registration_id], now=now())
    session.commit()
    return pdf


def run_badge_batch(context: JobContext) -> JobOutcome:
    """The work of a badge job; if it fails, nothing is marked as printed."""
    params = context.params
    event = context.session.get(Event, params["event_id"])
    if event is None:
        raise LookupError("the event of this batch no longer exists")
    layout = layout_named(context.session, params["sheet"])
    selection = BadgeSelection.from_json(json.dumps(params["selection"]))
    out_path = context.output_path(f"badges-{event.slug}-{layout.name}.pdf")
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        context.report_progress(done)

    prepared = produce_badges_pdf(context.session, event, selection=selection, layout=layout, out_path=out_path,
                                  now=context.now, progress=advance)
    return JobOutcome(path=out_path, message="\n".join(prepared.warnings))

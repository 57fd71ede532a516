"""The 受付名簿 as a kind of job: a thousand rows take WeasyPrint tens of seconds, never inside a request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventapp.checkin.reception_list import reception_list, render_reception_list
from eventapp.events.models import Event
from eventapp.jobs import JobContext, JobKind, JobOutcome, register_job_kind

JOB_KIND = "reception_list"


def run_reception_list(context: JobContext) -> JobOutcome:
    event = context.session.get(Event, context.params["event_id"])
    if event is None:
        raise LookupError("the event of this list no longer exists")
    listing = reception_list(context.session, event, now=context.now())
    slug = event.slug
    context.session.commit()  # read; rendering needs no transaction (SQLite readers would hold a snapshot)
    out_path = context.output_path(f"reception-list-{slug}.pdf")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(render_reception_list(listing))
    return JobOutcome(path=out_path)


register_job_kind(JobKind(
    name=JOB_KIND, run=run_reception_list, back_endpoint="events_admin.admin_list",
    texts={"title": _l("Reception list (PDF)"), "back": _l("Events"), "unit": _l("people"),
           "running": _l("Making the PDF…"), "failed": _l("The list could not be made. Please try again."),
           "download": _l("Download the PDF")},
))

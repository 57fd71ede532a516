"""The badge batch as a kind of job (its page, texts and runner)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventapp.badges.batch import JOB_KIND, run_badge_batch
from eventapp.jobs import JobKind, register_job_kind

register_job_kind(JobKind(
    name=JOB_KIND, run=run_badge_batch, back_endpoint="badges.batch",
    texts={
        "title": _l("Badge batch"), "back": _l("Badges"), "unit": _l("badges"),
        "running": _l("Making the PDF…"), "failed": _l("It failed. Nothing was marked as printed."),
        "download": _l("Download the PDF"),
        "message_intro": _l("These badges printed, but not as they should look: characters the font does not "
                            "have are printed as 〓, and very long names very small. Correct them, or write these "
                            "by hand:"),
    },
))

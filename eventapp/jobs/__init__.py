"""Background work: one queue (huey), job records with progress, a generic status page with a bar and a
download, and progress bars on the command line. Features register their kinds of job
(``register_job_kind``); a job's runner owns its transactions, the services it calls only flush.

Run a worker with ``flask --app eventapp worker`` (``make run`` starts one)."""

from eventapp.jobs.kinds import (
    JobContext,
    JobKind,
    JobOutcome,
    job_file,
    job_kind,
    recent_jobs,
    register_job_kind,
    run_job,
    save_job_file,
    start_job,
)
from eventapp.jobs.models import JobRecord, JobStatus
from eventapp.jobs.queue import enqueue_job, huey, init_app, own_session

__all__ = ["JobContext", "JobKind", "JobOutcome", "JobRecord", "JobStatus", "enqueue_job", "huey", "init_app",
           "job_file", "job_kind", "own_session", "recent_jobs", "register_job_kind", "run_job", "save_job_file",
           "start_job"]

"""Running jobs: after commit, in a Celery worker or a thread of this process.

``enqueue(job)`` hands the job over once the transaction that created it
commits (a worker must never look for a row that is not there yet). With a
Celery broker configured (``CELERY_BROKER_URL``) it sends a task; in the
embedded default it starts a daemon thread. ``anpai jobs run-pending`` runs
whatever is still queued — after a restart, or as the only runner if you
prefer a cron job. Every path claims a job atomically first, so a job never
runs twice.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from anpai.jobs.models import Job, JobState
from anpai.jobs.registry import function_for

logger = logging.getLogger(__name__)

# Progress is written at most this often: a chunk callback every few
# milliseconds must not turn into as many UPDATEs.
PROGRESS_INTERVAL = 0.5


def create(kind: str, *, user, params: dict[str, Any], title: str = "", total: int | None = None):
    """A queued job, handed to a runner when the current transaction commits."""
    job = Job.objects.create(
        kind=kind, user=user, params=params, title=title[:200], progress_total=total
    )
    enqueue(job)
    return job


def enqueue(job: Job) -> None:
    """Run ``job`` after commit: a Celery task with a broker, else a thread here."""
    transaction.on_commit(partial(_dispatch, job.pk))


def _dispatch(pk: int) -> None:
    if getattr(settings, "CELERY_BROKER_URL", ""):
        from anpai.jobs.tasks import run_job

        run_job.delay(pk)
        return
    thread = threading.Thread(target=_thread_main, args=(pk,), name=f"anpai-job-{pk}", daemon=True)
    thread.start()


def _thread_main(pk: int) -> None:
    try:
        run(pk)
    except Exception:  # a thread has nobody to report to but the log
        logger.exception("job %s crashed its thread", pk)
    finally:
        # The thread opened its own connection; leaving it open leaks one per job.
        connection.close()


def _retrying(fn, *args, **kwargs):
    """``fn()``, retried for a few seconds while SQLite reports its lock taken.

    A request writing at the moment the job thread starts (the audit record,
    the session) holds SQLite's single write lock; past the busy timeout, or
    at once in shared-cache mode, SQLite answers "locked" instead of waiting.
    """
    for attempt in range(30):
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 29:
                raise
            time.sleep(min(0.02 * 2**attempt, 0.5))
    return None  # not reached


def claim(pk: int) -> bool:
    """Mark a queued job running; False when another runner got it first.

    One conditional UPDATE: whichever runner's statement matches the
    ``queued`` row wins, on SQLite and PostgreSQL alike.
    """
    return bool(
        _retrying(
            Job.objects.filter(pk=pk, state=JobState.QUEUED).update,
            state=JobState.RUNNING,
            started_at=timezone.now(),
        )
    )


def claim_next() -> Job | None:
    """The oldest queued job, claimed; None when none is left.

    PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` so concurrent runners
    take different jobs without waiting. SQLite (one writer at a time): a
    conditional UPDATE per candidate.
    """
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(state=JobState.QUEUED)
                .order_by("created_at", "id")
                .first()
            )
            if job is None:
                return None
            job.state = JobState.RUNNING
            job.started_at = timezone.now()
            job.save(update_fields=["state", "started_at"])
            return job
    for pk in Job.objects.queued().order_by("created_at", "id").values_list("pk", flat=True)[:20]:
        if claim(pk):
            return Job.objects.get(pk=pk)
    return None


def run(pk: int) -> bool:
    """Claim job ``pk`` and run it; False when it was not queued (already taken)."""
    if not claim(pk):
        return False
    execute(Job.objects.select_related("user").get(pk=pk))
    return True


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs one after another until none is left (or ``limit``); the count run."""
    count = 0
    while limit is None or count < limit:
        job = claim_next()
        if job is None:
            break
        execute(Job.objects.select_related("user").get(pk=job.pk))
        count += 1
    return count


def fail_stale(older_than: timedelta) -> int:
    """Jobs left ``running`` by a process that died (a restart mid-export) are failed."""
    cutoff = timezone.now() - older_than
    return Job.objects.filter(state=JobState.RUNNING, started_at__lt=cutoff).update(
        state=JobState.FAILED,
        finished_at=timezone.now(),
        error="interrupted: the process running it stopped",
    )


def _progress(job: Job):
    last = [0.0]

    def progress(done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        values: dict[str, Any] = {"progress_done": done}
        if total is not None:
            values["progress_total"] = total
        try:
            Job.objects.filter(pk=job.pk).update(**values)
        except OperationalError:  # progress is a courtesy; the export goes on
            logger.debug("progress of job %s not saved", job.pk, exc_info=True)

    return progress


def execute(job: Job) -> None:
    """Run a claimed job's function and store its result file or its error."""
    try:
        output = function_for(job.kind)(job, _progress(job))
        if output is not None:
            with output.file as handle:
                suffix = output.name.rsplit(".", 1)[-1] if "." in output.name else "bin"
                job.result.save(f"result.{suffix}", File(handle), save=False)
            job.result_name = output.name[:200]
            job.result_type = output.content_type[:100]
        job.refresh_from_db(fields=["progress_done", "progress_total"])
        if job.progress_total is not None:
            job.progress_done = job.progress_total
        job.state = JobState.DONE
        job.finished_at = timezone.now()
        _retrying(
            job.save,
            update_fields=[
                "result",
                "result_name",
                "result_type",
                "state",
                "finished_at",
                "progress_done",
            ],
        )
        logger.info("job %s (%s) done", job.pk, job.kind)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _retrying(
            Job.objects.filter(pk=job.pk).update,
            state=JobState.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )

"""Background jobs: work too long for a request (a big export), run after commit."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED_STATES = (JobState.DONE, JobState.FAILED)


def result_path(instance: Job, filename: str) -> str:
    # A random part keeps result files unguessable should the media directory
    # ever be served directly; downloads go through the owner-only view.
    stamp = timezone.now()
    return f"jobs/{stamp:%Y/%m}/{instance.pk}-{secrets.token_hex(8)}-{filename}"


class JobQuerySet(models.QuerySet["Job"]):
    def for_user(self, user) -> JobQuerySet:
        """The user's own jobs: a job (and its file) belongs to whoever started it."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def queued(self) -> JobQuerySet:
        return self.filter(state=JobState.QUEUED)


class Job(models.Model):
    """One piece of background work, its progress and its result file.

    ``kind`` names a function registered with :func:`anpai.jobs.registry.register`;
    ``params`` is what that function needs to redo the request (filters, not
    rows). The result file is kept through the storage API (``default_storage``).
    """

    kind = models.CharField(_("kind"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    result = models.FileField(_("result"), upload_to=result_path, max_length=255, blank=True)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    result_type = models.CharField(_("file type"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        """Progress as a whole percentage (0 while the total is unknown)."""
        if self.state == JobState.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

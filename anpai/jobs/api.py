"""``/api/v1/jobs/{id}/``: a background job's progress, and its file when done."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from anpai.core.api import ERROR_RESPONSES
from anpai.jobs.models import Job, JobState


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "state",
            "progress_done",
            "progress_total",
            "percent",
            "created_at",
            "started_at",
            "finished_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, job: Job) -> str | None:
        """The file's address once the job is done."""
        if job.state != JobState.DONE or not job.result:
            return None
        url = reverse("api:job-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


@extend_schema(responses={200: JobSerializer, **ERROR_RESPONSES})
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own jobs (a big ledger export answers 202 with one of these).

    Poll ``GET /api/v1/jobs/{id}/`` until ``state`` is ``done`` (or ``failed``),
    then fetch ``download``. Another user's job answers 404.
    """

    serializer_class = JobSerializer

    def get_queryset(self):
        return Job.objects.for_user(self.request.user)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.state != JobState.DONE or not job.result:
            raise Http404
        try:
            handle = job.result.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=job.result_name or "result",
            content_type=job.result_type or "application/octet-stream",
        )

"""Job pages: progress (polled by htmx while running) and the owner-only download."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views import View
from django.views.generic import DetailView, ListView

from anpai.jobs.models import Job, JobState


class OwnJobsMixin(LoginRequiredMixin):
    """A job is its owner's alone: anyone else gets 404, as if it did not exist."""

    request: HttpRequest

    def get_queryset(self):
        return Job.objects.for_user(self.request.user)


class JobListView(OwnJobsMixin, ListView):
    """The user's recent jobs."""

    template_name = "jobs/job_list.html"
    paginate_by = 20


class JobDetailView(OwnJobsMixin, DetailView):
    """Progress and, when done, the download link. An htmx poll gets the status fragment."""

    template_name = "jobs/job_detail.html"
    fragment_template = "jobs/_job_status.html"

    def get_template_names(self):
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.history_restore_request:
            return [self.fragment_template]
        return [self.template_name]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        add_never_cache_headers(response)  # progress must never come from a cache
        return response


class JobDownloadView(OwnJobsMixin, View):
    """The finished job's file, to its owner only."""

    def get(self, request, pk: int):
        job = get_object_or_404(self.get_queryset(), pk=pk, state=JobState.DONE)
        if not job.result:
            raise Http404
        try:
            handle = job.result.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=job.result_name or job.result.name.rsplit("/", 1)[-1],
            content_type=job.result_type or "application/octet-stream",
        )

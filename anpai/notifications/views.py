"""The notification centre: a person's own notifications, unread first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from anpai.notifications.models import Notification


class NotificationListView(LoginRequiredMixin, ListView):
    """``/notifications/``: the signed-in user's notifications, unread first, newest first."""

    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        return (
            Notification.objects.restrict(self.request.user)
            .annotate(
                unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
            )
            .order_by("-unread", "-created_at", "-id")
        )


def _safe(url: str, request) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@login_required
@require_GET
def open_notification(request, pk: int):
    """Mark one notification read and go to what it is about (another person's: 404)."""
    note = get_object_or_404(Notification.objects.restrict(request.user), pk=pk)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    # Only links inside the site: a notification never sends anyone elsewhere.
    return HttpResponseRedirect(
        note.url if _safe(note.url, request) else reverse("notifications:list")
    )


@login_required
@require_POST
def mark_all_read(request):
    """Mark every unread notification of the user read; back to the list."""
    Notification.objects.restrict(request.user).unread().update(read_at=timezone.now())
    target = request.POST.get("next", "")
    if _safe(target, request):
        return HttpResponseRedirect(target)
    return redirect("notifications:list")

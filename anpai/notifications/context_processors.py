"""The navbar bell: the signed-in user's unread notification count."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from anpai.notifications.models import Notification


def unread(request):
    """``unread_notifications``: one COUNT query, run only if a template shows it.

    Lazy, so htmx fragments and pages that do not render the navbar cost nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.restrict(user).unread().count()
        )
    }

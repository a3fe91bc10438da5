"""Leaders' lists pages (placeholder until the pages land)."""

from django.http import HttpResponse
from django.shortcuts import redirect

from anpai.core import access


def home(request):
    """The section's landing page: leaders' lists for those who see them, else commitments."""
    if access.can(request.user, "responsibility.leaderlist", access.VIEW):
        return redirect("responsibility:lists")
    return redirect("enterprise:commitments")


def lists(request):
    return HttpResponse("")

"""Enforcement pages (placeholder until the pages land)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from anpai.enforcement.models import Case


def case_list(request):
    return HttpResponse("")


def case_detail(request, pk):
    get_object_or_404(Case.objects.restrict(request.user), pk=pk)
    return HttpResponse("")

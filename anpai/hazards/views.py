"""Hazard pages (placeholder until the UI lands)."""

from django.views.generic import DetailView, ListView

from anpai.core.views import RestrictedViewMixin
from anpai.hazards.models import Hazard


class HazardListView(RestrictedViewMixin, ListView):
    model = Hazard
    resource = "hazards.hazard"
    template_name = "hazards/hazard_list.html"
    paginate_by = 50


class HazardDetailView(RestrictedViewMixin, DetailView):
    model = Hazard
    resource = "hazards.hazard"
    template_name = "hazards/hazard_detail.html"

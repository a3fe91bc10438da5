"""Organisation registry pages."""

from __future__ import annotations

from django.views.generic import DetailView, ListView

from anpai.core.views import RestrictedViewMixin
from anpai.orgs.filtersets import OrganizationFilterSet
from anpai.orgs.models import Organization, Supervision


class OrganizationListView(RestrictedViewMixin, ListView):
    model = Organization
    resource = "orgs.organization"
    template_name = "orgs/organization_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset().with_list_related()
        self.filterset = OrganizationFilterSet(self.request.GET, queryset=qs, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        return ctx


class OrganizationDetailView(RestrictedViewMixin, DetailView):
    model = Organization
    resource = "orgs.organization"
    template_name = "orgs/organization_detail.html"


class SupervisionListView(RestrictedViewMixin, ListView):
    model = Supervision
    resource = "orgs.supervision"
    template_name = "orgs/supervision_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("township", "industry", "department")

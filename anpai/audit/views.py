"""The audit administrator's searchable audit page (read-only)."""

from __future__ import annotations

from django.views.generic import ListView

from anpai.audit.models import AuditRecord
from anpai.core.views import RestrictedViewMixin


class AuditListView(RestrictedViewMixin, ListView):
    model = AuditRecord
    resource = "audit.auditrecord"
    template_name = "audit/auditrecord_list.html"
    paginate_by = 50

"""Commitments and self-inspection reports API (``/api/v1/commitments/``,
``/api/v1/self-inspection-reports/``)."""

from anpai.enterprise.api.views import CommitmentViewSet, SelfInspectionReportViewSet

__all__ = ["CommitmentViewSet", "SelfInspectionReportViewSet"]

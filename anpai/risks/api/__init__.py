"""Risk points REST API (``/api/v1/risk-points/``) and the organisation's risk map."""

from anpai.risks.api.views import OrganizationRiskMapViewSet, RiskPointViewSet

__all__ = ["OrganizationRiskMapViewSet", "RiskPointViewSet"]

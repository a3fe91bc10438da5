"""Hazards REST API (``/api/v1/hazards/``)."""

from anpai.hazards.api.views import HazardViewSet

__all__ = ["HazardViewSet"]

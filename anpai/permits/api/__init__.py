"""Work permits REST API (``/api/v1/permits/``)."""

from anpai.permits.api.views import PermitViewSet

__all__ = ["PermitViewSet"]

"""Enforcement REST API (``/api/v1/cases/``, ``reviews/``, ``documents/``, ``accountability/``)."""

from anpai.enforcement.api.views import (
    AccountabilityFileViewSet,
    AccountabilityViewSet,
    CaseViewSet,
    DocumentViewSet,
    ReviewViewSet,
)

__all__ = [
    "AccountabilityFileViewSet",
    "AccountabilityViewSet",
    "CaseViewSet",
    "DocumentViewSet",
    "ReviewViewSet",
]

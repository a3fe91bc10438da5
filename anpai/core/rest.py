"""REST settings hooks, kept free of viewset imports (DRF imports these while loading)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from anpai.core.errors import ActionError


class Pagination(pagination.PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with ``?page=`` and ``?page_size=``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, ctx):
    """DRF's handler, plus Django model ValidationErrors as 400 with field errors.

    An action function's :class:`ActionError` answers its own status with its
    own body (``{"detail": …}`` or field errors), so API views just call them.
    """
    if isinstance(exc, ActionError):
        set_rollback()
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, ctx)

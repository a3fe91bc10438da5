"""Binds each request's actor and client address to the audit context."""

from __future__ import annotations

from django.conf import settings

from anpai.audit import context


def client_ip(request) -> str | None:
    """The client's address: the configured proxy header's first hop, else REMOTE_ADDR."""
    header = getattr(settings, "ANPAI_CLIENT_IP_HEADER", "")
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        forwarded = request.META.get(meta_key, "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Every audit record written during a request names its user, address and request id.

    ``request.user`` is still the lazy wrapper here; :func:`anpai.audit.log.append`
    resolves it when a record is written. API views replace the actor once
    token authentication has run. The request id is echoed in ``X-Request-ID``
    so a record can be matched with the server's logs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        source = "api" if request.path.startswith("/api/") else "web"
        with context.acting(user, ip=client_ip(request), source=source) as ctx:
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response

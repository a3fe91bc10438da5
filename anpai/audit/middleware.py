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
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        source = "api" if request.path.startswith("/api/") else "web"
        with context.acting(user, ip=client_ip(request), source=source):
            return self.get_response(request)

"""System check: a mistyped SMS backend stops start-up instead of failing every SMS."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def sms_backend_check(app_configs, **kwargs):
    path = getattr(settings, "ANPAI_SMS_BACKEND", "")
    if not path:
        return []
    try:
        backend = import_string(path)
    except ImportError as exc:
        return [
            Error(
                f"ANPAI_SMS_BACKEND={path!r} cannot be imported: {exc}",
                hint="Give the dotted path of a function (phone, text), or leave it empty.",
                id="anpai.notifications.E001",
            )
        ]
    if not callable(backend):
        return [Error(f"ANPAI_SMS_BACKEND={path!r} is not callable", id="anpai.notifications.E002")]
    return []

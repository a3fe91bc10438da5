"""Outside delivery channels. Email is built in; SMS is pluggable by settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from anpai.notifications.models import Delivery

MAX_ATTEMPTS = 5


def send_email(notification) -> None:
    user = notification.recipient
    send_mail(
        subject=notification.title,
        message=f"{notification.body}\n\n{notification.url}".strip(),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


def _sms_backend():
    path = getattr(settings, "ANPAI_SMS_BACKEND", "")
    return import_string(path) if path else None


def for_user(user: Any) -> list[str]:
    """The channels a user can be reached on."""
    result = []
    if user.email:
        result.append("email")
    if user.phone and _sms_backend() is not None:
        result.append("sms")
    return result


def _send(delivery: Delivery) -> None:
    note = delivery.notification
    if delivery.channel == "email":
        send_email(note)
    elif delivery.channel == "sms":
        backend = _sms_backend()
        if backend is None:
            raise RuntimeError("no SMS backend configured")
        backend(note.recipient.phone, f"{note.title} {note.body}".strip())
    else:
        raise RuntimeError(f"unknown channel {delivery.channel}")


def deliver(notification_ids: list[int] | None = None) -> int:
    """Attempt pending deliveries (all, or those of some notifications). Idempotent.

    A failure is recorded and retried on the next run, up to MAX_ATTEMPTS.
    """
    pending = Delivery.objects.filter(state=Delivery.State.PENDING, attempts__lt=MAX_ATTEMPTS)
    if notification_ids is not None:
        pending = pending.filter(notification_id__in=notification_ids)
    sent = 0
    for delivery in pending.select_related("notification__recipient"):
        delivery.attempts += 1
        try:
            _send(delivery)
        except Exception as exc:
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = Delivery.State.FAILED
        else:
            delivery.state = Delivery.State.SENT
            delivery.sent_at = timezone.now()
            sent += 1
        delivery.save(update_fields=["attempts", "last_error", "state", "sent_at"])
    return sent

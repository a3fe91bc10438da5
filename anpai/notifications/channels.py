"""Outside delivery channels. Email is built in; SMS is pluggable by settings.

The in-app notification is the row itself. Each outside channel a user can be
reached on gets a :class:`Delivery`, attempted after the notifying transaction
commits and retried by ``anpai notifications send`` (and the Celery beat
schedule) until it is sent or has failed ``MAX_ATTEMPTS`` times.

SMS: ``ANPAI_SMS_BACKEND`` is the dotted path of a function ``(phone, text)``
that sends one message and raises on failure; :func:`log_sms` only logs it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from anpai.notifications.models import Delivery

MAX_ATTEMPTS = 5
# How long one worker holds a delivery while sending it (SMTP can be slow).
CLAIM = timedelta(minutes=10)
SMS_MAX_CHARS = 300

log = logging.getLogger("anpai.notifications")


def log_sms(phone: str, text: str) -> None:
    """The SMS backend for demos and tests: writes the message to the log instead of sending."""
    log.info("SMS to %s: %s", phone, text)


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
    # Only whether SMS is configured, not importing it: a mistyped backend must not
    # fail the action that notifies; its deliveries fail, are logged and retried.
    if user.phone and getattr(settings, "ANPAI_SMS_BACKEND", ""):
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
        backend(note.recipient.phone, f"{note.title} {note.body}".strip()[:SMS_MAX_CHARS])
    else:
        raise RuntimeError(f"unknown channel {delivery.channel}")


def _claim(delivery: Delivery, now) -> bool:
    """Take the delivery for this worker; False when another worker holds or sent it."""
    return bool(
        Delivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk=delivery.pk,
            state=Delivery.State.PENDING,
            attempts=delivery.attempts,
        ).update(claimed_until=now + CLAIM, attempts=delivery.attempts + 1)
    )


def deliver(notification_ids: list[int] | None = None) -> int:
    """Attempt pending deliveries (all, or those of some notifications); return how many sent.

    Idempotent and safe to run concurrently: each delivery is claimed by one
    worker before it is sent. A failure is recorded and retried on the next
    run, and marked failed after MAX_ATTEMPTS attempts.
    """
    now = timezone.now()
    pending = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        state=Delivery.State.PENDING,
        attempts__lt=MAX_ATTEMPTS,
    )
    if notification_ids is not None:
        pending = pending.filter(notification_id__in=notification_ids)
    sent = 0
    for delivery in pending.select_related("notification__recipient").order_by("id"):
        if not _claim(delivery, now):
            continue
        delivery.attempts += 1
        delivery.claimed_until = None
        try:
            _send(delivery)
        except Exception as exc:  # any channel error: record it, retry next run
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = Delivery.State.FAILED
            log.warning(
                "delivery %s via %s failed (attempt %s): %s",
                delivery.pk,
                delivery.channel,
                delivery.attempts,
                delivery.last_error,
            )
        else:
            delivery.state = Delivery.State.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
            sent += 1
        delivery.save(update_fields=["last_error", "state", "sent_at", "claimed_until"])
    return sent


def deliver_soon(notification_ids: list[int]) -> None:
    """Deliver new notifications now (called on commit); never fail the caller.

    With a Celery broker the work goes to a worker; without one it runs here.
    Whatever does not go out now stays pending for the next retry run.
    """
    try:
        if getattr(settings, "CELERY_BROKER_URL", "") and not getattr(
            settings, "CELERY_TASK_ALWAYS_EAGER", False
        ):
            from anpai.notifications.tasks import deliver_pending

            deliver_pending.delay(notification_ids)
        else:
            deliver(notification_ids)
    except Exception:  # the data is committed; the retry run sends it later
        log.exception("could not deliver notifications %s now", notification_ids)

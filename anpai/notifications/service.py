"""Sending notifications: in-app rows now, outside channels after commit (retried)."""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction

from anpai.notifications.models import Delivery, Notification

_silenced: contextvars.ContextVar[bool] = contextvars.ContextVar("anpai_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    """Actions inside the block notify nobody (generating demo or benchmark data)."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def notify(
    recipients: Iterable[Any],
    *,
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
    deliver: bool = True,
) -> list[Notification]:
    """Notify each recipient once (per ``key`` when given). Returns the new notifications.

    Call inside the action's transaction: the rows commit with it, and the
    outside channels (email, SMS) are attempted only after commit — a rolled
    back action sends nothing. ``deliver=False`` leaves the deliveries pending
    for a caller that runs :func:`anpai.notifications.channels.deliver` itself
    (the reminder job), so each is attempted once per run.
    """
    if _silenced.get():
        return []
    from anpai.notifications import channels

    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if key and Notification.objects.filter(recipient=user, key=key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, title=str(title)[:200], body=str(body), url=url, key=key[:120]
                )
        except IntegrityError:  # the same key sent concurrently
            continue
        created.append(note)
        for channel in channels.for_user(user):
            Delivery.objects.create(notification=note, channel=channel)
    if created and deliver:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: channels.deliver_soon(ids))
    return created

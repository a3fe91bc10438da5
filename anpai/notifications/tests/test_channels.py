"""Outside channels: claims against concurrent runs, the log SMS backend, the settings check."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from anpai.notifications import channels
from anpai.notifications.checks import sms_backend_check
from anpai.notifications.models import Delivery
from anpai.notifications.service import notify

SENT_SMS: list[tuple[str, str]] = []


def record_sms(phone: str, text: str) -> None:
    SENT_SMS.append((phone, text))


def test_a_delivery_claimed_by_another_run_is_left_alone_until_the_claim_expires(demo):
    note = notify([demo["ent1"]], title="提醒", deliver=False)[0]
    email = note.deliveries.get(channel="email")
    Delivery.objects.filter(pk=email.pk).update(claimed_until=timezone.now() + timedelta(minutes=5))
    channels.deliver([note.pk])
    email.refresh_from_db()
    assert email.state == Delivery.State.PENDING
    assert mail.outbox == []
    # The other worker died: its claim expires and the delivery goes out once.
    Delivery.objects.filter(pk=email.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    channels.deliver([note.pk])
    channels.deliver([note.pk])
    email.refresh_from_db()
    assert (email.state, email.attempts, email.claimed_until) == (Delivery.State.SENT, 1, None)
    assert len(mail.outbox) == 1


def test_sms_goes_through_the_configured_backend_shortened(demo, settings):
    settings.ANPAI_SMS_BACKEND = "anpai.notifications.tests.test_channels.record_sms"
    SENT_SMS.clear()
    note = notify([demo["ent1"]], title="隐患逾期", body="很长的正文" * 100, deliver=False)[0]
    channels.deliver([note.pk])
    assert SENT_SMS[0][0] == demo["ent1"].phone
    assert SENT_SMS[0][1].startswith("隐患逾期 很长的正文")
    assert len(SENT_SMS[0][1]) == channels.SMS_MAX_CHARS


def test_no_sms_backend_means_no_sms_delivery(demo, settings):
    settings.ANPAI_SMS_BACKEND = ""
    note = notify([demo["ent1"]], title="x", deliver=False)[0]
    assert list(note.deliveries.values_list("channel", flat=True)) == ["email"]


def test_log_sms_writes_the_message_to_the_log(caplog):
    with caplog.at_level(logging.INFO, logger="anpai.notifications"):
        channels.log_sms("13900000000", "整改期限还有1天")
    assert "13900000000" in caplog.text
    assert "整改期限还有1天" in caplog.text


def test_same_key_is_sent_once(demo):
    assert notify([demo["ent1"]], title="x", key="k:1", deliver=False)
    assert notify([demo["ent1"], demo["ent1"]], title="x", key="k:1", deliver=False) == []


def test_a_mistyped_sms_backend_fails_the_system_check(settings):
    settings.ANPAI_SMS_BACKEND = "anpai.nowhere.send"
    errors = sms_backend_check(None)
    assert [e.id for e in errors] == ["anpai.notifications.E001"]
    settings.ANPAI_SMS_BACKEND = "anpai.notifications.channels.log_sms"
    assert sms_backend_check(None) == []


def test_a_concurrent_run_with_the_same_key_is_refused_by_the_database(demo, monkeypatch):
    from django.db.models import QuerySet

    from anpai.notifications.models import Notification

    assert notify([demo["ent1"]], title="x", key="race:1", deliver=False)
    # The other run checked before this row existed: the unique constraint decides.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    assert notify([demo["ent1"]], title="x", key="race:1", deliver=False) == []
    monkeypatch.undo()
    assert Notification.objects.filter(recipient=demo["ent1"], key="race:1").count() == 1


def test_a_mistyped_sms_backend_fails_the_delivery_not_the_action(settings, demo):
    """The action that notifies still succeeds; the SMS is kept and retried once fixed."""
    from anpai.notifications import channels
    from anpai.notifications.models import Delivery
    from anpai.notifications.service import notify

    settings.ANPAI_SMS_BACKEND = "anpai.nowhere.send_sms"
    user = demo["ent1"]
    notes = notify([user], title="整改期限还有1天", deliver=False)
    delivery = Delivery.objects.get(notification=notes[0], channel="sms")
    channels.deliver([notes[0].pk])
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    assert "ModuleNotFoundError" in delivery.last_error or "ImportError" in delivery.last_error
    settings.ANPAI_SMS_BACKEND = "anpai.notifications.channels.log_sms"
    channels.deliver([notes[0].pk])
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT

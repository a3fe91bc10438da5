"""Deadline reminders: who gets them, when, exactly once; retries; notifications after commit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from anpai.hazards import actions
from anpai.hazards.reminders import send_deadline_reminders
from anpai.notifications.channels import MAX_ATTEMPTS, deliver
from anpai.notifications.models import Delivery, Notification

FIVE = {
    "responsible_name": "周晓东",
    "measures": "更换老化线路",
    "funds": Decimal("1200"),
    "contingency": "停用配电箱",
}


class Boom(Exception):
    pass


def broken_sms(phone: str, text: str) -> None:
    raise ConnectionError("SMS gateway unreachable")


@pytest.fixture
def assigned(demo, new_hazard):
    """A hazard of ent1's enterprise being rectified, due in 10 days, ent1safety responsible."""

    def _make(responsible="ent1safety", days=10):
        h = new_hazard("ent1safety", title=TITLE)
        h = actions.assign(
            h,
            by=demo["ent1safety"],
            responsible_user=demo[responsible] if responsible else None,
            deadline=timezone.localdate() + timedelta(days=days),
            **FIVE,
        )
        # The assignment's own notification (sent on commit) is not a reminder.
        deliver()
        mail.outbox.clear()
        return h

    return _make


def _keys(hazard, user=None):
    rows = Notification.objects.filter(key__startswith=f"hazard:{hazard.pk}:")
    if user is not None:
        rows = rows.filter(recipient=user)
    return set(rows.values_list("key", flat=True))


TITLE = "配电箱线路老化（提醒测试）"


def _mail_to(address):
    """Mail about the test's hazard (the demo's own hazards get reminders too)."""
    return [m for m in mail.outbox if address in m.to and TITLE in m.subject]


def test_three_days_and_one_day_before_reach_the_responsible_person(demo, assigned):
    h = assigned()
    d = h.deadline
    send_deadline_reminders(d - timedelta(days=4))
    assert _keys(h) == set()
    send_deadline_reminders(d - timedelta(days=3))
    assert _keys(h) == {f"hazard:{h.pk}:due3:{d}"}
    assert _keys(h, demo["ent1safety"]) == {f"hazard:{h.pk}:due3:{d}"}
    assert len(_mail_to("ent1safety@anpai.example")) == 1
    send_deadline_reminders(d - timedelta(days=2))  # still the same reminder: nothing new
    send_deadline_reminders(d - timedelta(days=1))
    assert _keys(h, demo["ent1safety"]) == {
        f"hazard:{h.pk}:due3:{d}",
        f"hazard:{h.pk}:due1:{d}",
    }
    assert not _keys(h, demo["ent1"])  # the principal is not bothered before the deadline
    assert len(_mail_to("ent1safety@anpai.example")) == 2
    note = Notification.objects.get(key=f"hazard:{h.pk}:due1:{d}")
    assert note.url == f"/hazards/{h.pk}/"
    assert h.number in note.body


def test_without_a_responsible_account_the_principal_and_safety_manager_are_reminded(
    demo, assigned
):
    h = assigned(responsible=None)
    send_deadline_reminders(h.deadline - timedelta(days=1))
    assert set(
        Notification.objects.filter(key=f"hazard:{h.pk}:due1:{h.deadline}").values_list(
            "recipient__username", flat=True
        )
    ) == {"ent1", "ent1safety"}


def test_overdue_reaches_principal_and_township_first_day_then_weekly(demo, assigned):
    h = assigned()
    d = h.deadline
    send_deadline_reminders(d)  # due today: still the responsible person's reminder
    assert (
        not Notification.objects.filter(key__contains=":overdue:")
        .filter(key__startswith=f"hazard:{h.pk}:")
        .exists()
    )
    send_deadline_reminders(d + timedelta(days=1))
    first = f"hazard:{h.pk}:overdue:{d}:0"
    recipients = set(
        Notification.objects.filter(key=first).values_list("recipient__username", flat=True)
    )
    assert {"ent1", "township"} <= recipients
    assert "ent2" not in recipients
    assert "village2" not in recipients
    assert _mail_to("township@anpai.example")
    assert _mail_to("ent1@anpai.example")
    before = Notification.objects.count()
    send_deadline_reminders(d + timedelta(days=5))  # same week: nothing new for this hazard
    assert not Notification.objects.filter(key=f"hazard:{h.pk}:overdue:{d}:1").exists()
    send_deadline_reminders(d + timedelta(days=8))
    assert Notification.objects.filter(
        key=f"hazard:{h.pk}:overdue:{d}:1", recipient=demo["township"]
    ).exists()
    assert Notification.objects.count() > before


def test_running_twice_sends_nothing_twice(demo, assigned):
    h = assigned()
    day = h.deadline + timedelta(days=1)
    first = send_deadline_reminders(day)
    notes, mails = Notification.objects.count(), len(mail.outbox)
    deliveries = Delivery.objects.filter(state=Delivery.State.SENT).count()
    assert first["overdue"] >= 3  # ent1, township, ent1safety at least
    second = send_deadline_reminders(day)
    assert second["due3"] == second["due1"] == second["overdue"] == second["sent"] == 0
    assert Notification.objects.count() == notes
    assert len(mail.outbox) == mails
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == deliveries


def test_a_failing_channel_is_retried_next_run_then_marked_failed(demo, assigned, settings):
    settings.ANPAI_SMS_BACKEND = "anpai.hazards.tests.test_reminders.broken_sms"
    h = assigned()
    day = h.deadline - timedelta(days=1)
    send_deadline_reminders(day)
    note = Notification.objects.get(key=f"hazard:{h.pk}:due1:{h.deadline}")
    sms = note.deliveries.get(channel="sms")
    email = note.deliveries.get(channel="email")
    assert email.state == Delivery.State.SENT  # one channel failing does not stop another
    assert (sms.state, sms.attempts) == (Delivery.State.PENDING, 1)
    assert "unreachable" in sms.last_error
    for attempt in range(2, MAX_ATTEMPTS + 1):
        send_deadline_reminders(day)
        sms.refresh_from_db()
        assert sms.attempts == attempt
    assert sms.state == Delivery.State.FAILED
    send_deadline_reminders(day)
    sms.refresh_from_db()
    assert sms.attempts == MAX_ATTEMPTS
    assert len(_mail_to("ent1safety@anpai.example")) == 1


def test_a_pending_delivery_goes_out_when_the_channel_recovers(demo, assigned, settings):
    settings.ANPAI_SMS_BACKEND = "anpai.hazards.tests.test_reminders.broken_sms"
    h = assigned()
    send_deadline_reminders(h.deadline - timedelta(days=1))
    sms = Delivery.objects.get(notification__key=f"hazard:{h.pk}:due1:{h.deadline}", channel="sms")
    settings.ANPAI_SMS_BACKEND = "anpai.notifications.channels.log_sms"
    out = StringIO()
    call_command("notifications", "send", stdout=out)
    sms.refresh_from_db()
    assert (sms.state, sms.attempts, sms.last_error) == (Delivery.State.SENT, 2, "")
    assert "sent now" in out.getvalue()


def test_an_extended_deadline_gets_its_own_reminders(demo, assigned):
    h = assigned(days=5)
    old = h.deadline
    send_deadline_reminders(old - timedelta(days=1))
    actions.request_extension(h, by=demo["ent1"], deadline=old + timedelta(days=10), reason="缺料")
    actions.decide_extension(h, by=demo["township"], approve=True, comment="同意")
    h.refresh_from_db()
    send_deadline_reminders(old + timedelta(days=1))  # not overdue any more
    assert not any(":overdue:" in k for k in _keys(h))
    send_deadline_reminders(h.deadline - timedelta(days=1))
    assert f"hazard:{h.pk}:due1:{h.deadline}" in _keys(h)


def test_closed_hazards_get_no_reminders(demo, assigned, photo):
    h = assigned()
    actions.rectify(h, by=demo["ent1safety"], rectification="已更换", photos=[photo()])
    send_deadline_reminders(h.deadline + timedelta(days=1))
    assert _keys(h) == set()


def test_a_transitions_notification_is_sent_only_after_commit(
    demo, new_hazard, django_capture_on_commit_callbacks
):
    h = new_hazard("ent1safety")
    deadline = timezone.localdate() + timedelta(days=10)

    def assign_then_fail():
        with transaction.atomic():
            actions.assign(
                h, by=demo["ent1safety"], responsible_user=demo["ent1"], deadline=deadline, **FIVE
            )
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        assign_then_fail()
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(recipient=demo["ent1"], url=f"/hazards/{h.pk}/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.assign(
            h, by=demo["ent1safety"], responsible_user=demo["ent1"], deadline=deadline, **FIVE
        )
        assert mail.outbox == []  # the email waits for the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["ent1@anpai.example"]]


def test_command_prints_counts_and_refuses_a_bad_date(demo, assigned):
    h = assigned()
    out = StringIO()
    call_command("reminders", "--date", str(h.deadline - timedelta(days=3)), stdout=out)
    assert "due in 3 days" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reminders", "--date", "2024-13-45")


def test_celery_task_and_beat_schedule(demo, assigned):
    from celery.schedules import crontab

    from anpai.celery import app
    from anpai.notifications.tasks import deadline_reminders

    assigned(days=1)
    result = deadline_reminders.delay().get()
    assert result["due1"] >= 1
    entry = app.conf.beat_schedule["hazard-deadline-reminders"]
    assert entry["task"] == deadline_reminders.name
    assert entry["schedule"] == crontab(hour=8, minute=0)

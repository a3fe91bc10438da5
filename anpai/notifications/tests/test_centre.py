"""The notification centre: own rows only, unread first, open marks read, the navbar bell."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anpai.notifications.models import Notification
from anpai.notifications.service import notify


def _notes(user, n, **extra):
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            title=f"提醒 {i}",
            body="正文",
            url=f"/hazards/{i}/",
            created_at=now - timedelta(minutes=i),
            **extra,
        )
        for i in range(n)
    )


def test_list_shows_only_own_notifications_unread_first_and_bold(login, demo):
    Notification.objects.filter(recipient=demo["ent1"]).delete()  # the demo's own
    read = Notification.objects.create(
        recipient=demo["ent1"], title="已读的旧消息", read_at=timezone.now()
    )
    unread = Notification.objects.create(
        recipient=demo["ent1"],
        title="未读的新消息",
        created_at=timezone.now() - timedelta(days=1),  # older, yet listed first
    )
    Notification.objects.create(recipient=demo["ent2"], title="别人的消息")
    page = login("ent1").get(reverse("notifications:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "别人的消息" not in text
    assert text.index(unread.title) < text.index(read.title)
    assert '<span class="d-block fw-bold"><span class="visually-hidden">' in text
    assert list(page.context["notifications"]) == [unread, read]


def test_open_marks_read_and_redirects_to_the_target(login, demo):
    note = Notification.objects.create(recipient=demo["ent1"], title="x", url="/hazards/7/")
    response = login("ent1").get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/hazards/7/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_persons_notification_is_not_found(login, demo):
    note = Notification.objects.create(recipient=demo["ent2"], title="x", url="/hazards/7/")
    client = login("ent1")
    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_open_never_redirects_off_site(login, demo):
    note = Notification.objects.create(
        recipient=demo["ent1"], title="x", url="https://evil.example/phish"
    )
    response = login("ent1").get(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read_is_a_post_and_touches_only_own_rows(login, demo):
    _notes(demo["ent1"], 3)
    _notes(demo["ent2"], 2)
    client = login("ent1")
    assert client.get(reverse("notifications:read_all")).status_code == 405
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=demo["ent1"], read_at=None).exists()
    assert Notification.objects.filter(recipient=demo["ent2"], read_at=None).count() == 2


def test_bell_shows_the_unread_count(login, demo):
    Notification.objects.filter(recipient=demo["ent1"]).update(read_at=timezone.now())
    client = login("ent1")
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-bell"' in page
    assert 'data-testid="unread-count"' not in page
    notify([demo["ent1"]], title="新隐患", url="/hazards/1/")
    _notes(demo["ent1"], 2)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-count">3<' in page


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_list_query_count_is_constant(login, demo):
    client = login("township")
    client.get(reverse("notifications:list"))  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notifications:list")).status_code == 200
        return len(ctx.captured_queries)

    _notes(demo["township"], 3)
    few = queries()
    _notes(demo["township"], 80)
    _notes(demo["township"], 80, read_at=timezone.now())
    # session, user, memberships (navigation), unread count (bell), page count,
    # rows, and the session's save (savepoint, update, release)
    assert queries() == few <= 9

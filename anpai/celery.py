"""Celery application. Without a broker configured, tasks run in-process (eager).

The beat schedule (``celery -A anpai beat``) runs the deadline reminders every
morning, retries pending email/SMS deliveries every ten minutes, creates
and closes the inspection duty periods every night at 00:30, and marks
expired the work permits whose validity has ended every five minutes. Times are
in ``CELERY_TIMEZONE`` (``ANPAI_TIME_ZONE``, Asia/Shanghai by default).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anpai.settings")
app = Celery("anpai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "hazard-deadline-reminders": {
        "task": "anpai.notifications.tasks.deadline_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "notification-delivery-retries": {
        "task": "anpai.notifications.tasks.deliver_pending",
        "schedule": crontab(minute="*/10"),
    },
    "inspection-duty-periods": {
        "task": "anpai.inspections.tasks.inspection_periods",
        "schedule": crontab(hour=0, minute=30),
    },
    "permit-expiry": {
        "task": "anpai.permits.tasks.expire_permits",
        "schedule": crontab(minute="*/5"),
    },
}

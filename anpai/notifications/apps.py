from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "anpai.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from anpai.notifications import checks  # noqa: F401 - registers the system check

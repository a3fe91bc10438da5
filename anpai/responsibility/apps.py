from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilityConfig(AppConfig):
    name = "anpai.responsibility"
    verbose_name = _("Leaders' responsibility")

    def ready(self) -> None:
        from anpai.audit.signals import register

        for label in (
            "responsibility.leaderlist",
            "responsibility.listitem",
            "responsibility.selfreview",
        ):
            register(label)

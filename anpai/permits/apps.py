from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "anpai.permits"
    verbose_name = _("Hazardous-work permits")

    def ready(self) -> None:
        from anpai.audit.signals import register

        for label in (
            "permits.permit",
            "permits.permitworker",
            "permits.permitmeasure",
            "permits.gasanalysis",
            "permits.approval",
            "permits.permitrules",
        ):
            register(label)

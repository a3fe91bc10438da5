from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "anpai.enforcement"
    verbose_name = _("Enforcement")

    def ready(self) -> None:
        from anpai.audit.signals import register

        for label in (
            "enforcement.case",
            "enforcement.document",
            "enforcement.measure",
            "enforcement.review",
            "enforcement.documentsettings",
            "enforcement.accountabilityrecord",
        ):
            register(label)

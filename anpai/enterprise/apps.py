from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterpriseConfig(AppConfig):
    name = "anpai.enterprise"
    verbose_name = _("Enterprise responsibility")

    def ready(self) -> None:
        from anpai.audit.signals import register

        for label in (
            "enterprise.commitment",
            "enterprise.selfinspectionreport",
            "enterprise.postduty",
            "enterprise.acknowledgement",
            "enterprise.safetyexpense",
            "enterprise.violation",
        ):
            register(label)

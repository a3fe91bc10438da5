from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "anpai.risks"
    verbose_name = _("Risk grading and control")

    def ready(self) -> None:
        from anpai.audit.signals import register

        for label in (
            "risks.riskpoint",
            "risks.assessment",
            "risks.controlmeasure",
            "risks.riskscheme",
            "risks.siteplan",
        ):
            register(label)

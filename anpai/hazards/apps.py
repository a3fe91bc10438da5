from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "anpai.hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        from anpai.audit.signals import register

        for label in (
            "hazards.hazard",
            "hazards.attachment",
            "hazards.extension",
            "hazards.category",
        ):
            register(label)

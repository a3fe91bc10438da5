from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "anpai.inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from anpai.audit.signals import register

        for label in (
            "inspections.checklisttemplate",
            "inspections.checklistitem",
            "inspections.inspection",
            "inspections.inspectionduty",
            "inspections.inspectionround",
        ):
            register(label)

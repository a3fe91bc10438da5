from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "anpai.standards"
    verbose_name = _("Standards library")

    def ready(self) -> None:
        from anpai.audit.signals import register

        register("standards.standard")
        register("standards.clause")

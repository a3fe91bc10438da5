from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "anpai.jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Each app that runs background work registers its job kinds in its own
        # ``jobs`` module (e.g. anpai/hazards/jobs.py); import them all now so a
        # worker or the run-pending command knows every kind.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")

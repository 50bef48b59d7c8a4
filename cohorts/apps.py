from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("In-person cohorts")

    def ready(self) -> None:
        from cohorts import receivers  # noqa: F401

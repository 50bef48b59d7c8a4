from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("In-person cohorts")

    def ready(self) -> None:
        from cohorts import receivers  # noqa: F401
        from core.nav import NavItem, register

        register(
            NavItem(_("Cohorts"), "cohorts:list", order=30),
        )

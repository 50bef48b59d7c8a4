from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"

    def ready(self) -> None:
        from certificates import (  # noqa: F401  (connect receivers, register checks)
            checks,
            receivers,
        )
        from core.nav import NavItem, register

        register(
            NavItem(_("Dashboard"), "certificates:dashboard", order=10),
        )

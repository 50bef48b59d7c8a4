from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"

    def ready(self) -> None:
        from certificates import receivers  # noqa: F401  (connects signal receivers)
        from core.nav import NavItem, register

        register(
            NavItem(_("Dashboard"), "certificates:dashboard", order=10),
        )

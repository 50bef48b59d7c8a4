from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"

    def ready(self) -> None:
        from certificates import (  # noqa: F401  (connect receivers, register checks)
            checks,
            receivers,
        )
        from certificates.metrics import certificate_metrics
        from core.nav import NavItem, register
        from core.observability.scrape import scrape_source_register

        scrape_source_register(certificate_metrics)

        register(
            NavItem(_("Dashboard"), "certificates:dashboard", order=10),
        )

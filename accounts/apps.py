from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import (  # noqa: F401  (connect signal receivers, register checks)
            checks,
            receivers,
        )
        from core.nav import NavItem, register

        register(
            NavItem(
                _("Audit"), "audit:search", order=70, roles=frozenset({"agency_admin", "staff"})
            ),
            NavItem(_("Profile"), "privacy:profile", order=80),
        )

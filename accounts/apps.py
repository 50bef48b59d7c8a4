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
                _("Audit"),
                "accounts:audit_search",
                order=70,
                roles=frozenset({"agency_admin", "staff"}),
            ),
            NavItem(_("Profile"), "accounts:profile", order=80),
        )

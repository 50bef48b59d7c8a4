from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import (  # noqa: F401  (connect signal receivers, register checks)
            checks,
            receivers,
        )
        from accounts.audit import audit_log
        from core.audit import audit_writer_register
        from core.nav import NavItem, register

        # Core sits below accounts: it writes its audit rows (outbox failures, "send
        # again") through this hook rather than importing accounts.
        audit_writer_register(audit_log)
        register(
            NavItem(
                _("Audit"),
                "accounts:audit_search",
                order=70,
                roles=frozenset({"agency_admin", "staff"}),
            ),
            NavItem(_("Profile"), "accounts:profile", order=80),
        )

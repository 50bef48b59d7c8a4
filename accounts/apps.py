from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import (  # noqa: F401  (connect signal receivers, register checks)
            checks,
            receivers,
        )
        from accounts.audit import audit_log
        from core.audit import audit_writer_register

        # Core sits below accounts: it writes its audit rows (outbox failures, "send
        # again") through this hook rather than importing accounts.
        audit_writer_register(audit_log)

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import (  # noqa: F401  (connect signal receivers, register checks)
            checks,
            receivers,
        )

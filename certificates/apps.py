from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"

    def ready(self) -> None:
        from certificates import receivers  # noqa: F401  (connects signal receivers)

from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    """The bottom layer every app may use: client address and rate limits, CSV cells and the
    confirm-step import, PDF rendering, QR codes; the base templates and static assets."""

    name = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from core import checks  # noqa: F401  (register the deploy checks)
        from core.observability.context import request_id_clear

        request_finished.connect(request_id_clear, dispatch_uid="request_id_clear")

        if settings.SENTRY_DSN:
            from core.observability.sentry import sentry_init

            sentry_init(dsn=settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT)

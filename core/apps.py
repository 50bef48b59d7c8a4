from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer every app may use: client address and rate limits, CSV cells and the
    confirm-step import, PDF rendering, QR codes; the base templates and static assets."""

    name = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        from core import checks  # noqa: F401  (register the deploy checks)

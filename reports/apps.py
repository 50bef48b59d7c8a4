from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from core.nav import NavItem, register
        from reports.exports import tables_transcripts  # noqa: F401 (registers its table)

        register(
            NavItem(
                _("People"),
                "reports:agencies",
                order=50,
                roles=frozenset({"agency_admin", "coordinator", "staff"}),
            ),
            NavItem(
                _("My training record"),
                "reports:my_transcript",
                order=45,
                roles=frozenset({"officer"}),
            ),
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from core.nav import NavItem, register
        from courses.pipeline.extensions import content_extension_register
        from reports import receivers  # noqa: F401  (connects signal receivers)
        from reports.services.requirement_sets import (
            requirement_sets_sync,
            requirement_sets_validate,
        )

        content_extension_register(
            "requirements", validate=requirement_sets_validate, sync=requirement_sets_sync
        )
        # Each report's export tables register themselves (reports.exports.registry).
        from reports.exports import (  # noqa: F401
            tables_cohort_report,
            tables_compliance,
            tables_dashboards,
            tables_roster,
            tables_transcripts,
        )

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
            NavItem(
                _("Dashboards"),
                "reports:dashboards",
                order=55,
                roles=frozenset({"agency_admin", "coordinator", "staff"}),
            ),
        )

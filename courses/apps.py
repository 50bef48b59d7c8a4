from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self) -> None:
        from core.nav import NavItem, register
        from courses import receivers  # noqa: F401  (connects signal receivers)

        register(
            NavItem(_("Courses"), "courses:catalog", order=20),
            NavItem(
                _("Content"),
                "courses:trainer_content",
                order=40,
                roles=frozenset({"trainer", "staff"}),
            ),
            NavItem(
                _("Refreshers"),
                "courses:agency_refreshers",
                order=60,
                roles=frozenset({"agency_admin", "coordinator", "staff"}),
            ),
        )

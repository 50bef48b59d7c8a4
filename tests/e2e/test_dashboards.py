"""The dashboards in Chromium: every chart draws (its canvas has non-transparent pixels), axe
finds no WCAG 2.1 A/AA violation of any impact at 1200 px and 375 px wide, and the browser
reports no Content Security Policy violation nor any other console error."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import AgencyRequirement
from reports.services.compliance_states import compliance_states_refresh
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, staff_user
from tests.reports.dashboard_data import Scene, grow
from tests.reports.test_compliance_states import requirement

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

VIEWPORTS = [{"width": 1200, "height": 900}, {"width": 375, "height": 740}]

# Non-transparent pixels of every canvas[data-chart] on the page, by chart name.
DRAWN_PIXELS = """
() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) drawn += 1; }
  return [canvas.dataset.chart, drawn];
})
"""


def violations(page) -> list[str]:
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


def signed_in_context(browser, base: str, user, viewport):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="en-GB")
    # Recorded from the first byte of every page (an init script runs before the page's own).
    context.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1200px", "375px"])
def test_dashboards_draw_every_chart_and_pass_axe(browser, live_server, viewport):
    scene = Scene()
    # The agency follows a requirement; the officers added after its summary was written are
    # not yet evaluated: the page shows that row, the programme table that column, and the
    # date of the summary.
    AgencyRequirement.objects.create(agency=scene.agency, requirement_set=requirement())
    compliance_states_refresh(agency_id=scene.agency.pk)
    grow(scene, 6)
    # A second country, so the programme chart has more than one bar.
    thai = AgencyFactory(country="TH", name="Royal Thai Police", time_zone="Asia/Bangkok")
    for _ in range(7):
        MembershipFactory(agency=thai, user=UserFactory(), vetted_at=timezone.now() - timedelta(1))
    pages = [
        (scene.admin, reverse("reports:dashboard_agency", args=[scene.agency.pk]), 4),
        (staff_user(), reverse("reports:dashboard_programme"), 1),
    ]
    base = live_server.url
    for user, path, charts in pages:
        context = signed_in_context(browser, base, user, viewport)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg, seen=errors: msg.type == "error" and seen.append(msg.text))
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_function(
            "document.querySelectorAll('.chart-drawn').length === "
            "document.querySelectorAll('canvas[data-chart]').length"
        )
        drawn = dict(page.evaluate(DRAWN_PIXELS))
        assert len(drawn) == charts, drawn
        assert all(pixels > 0 for pixels in drawn.values()), drawn
        # A CSP violation is reported on the console as an error; there must be none.
        assert page.evaluate("window.__cspViolations") == []
        assert errors == [], errors
        assert violations(page) == [], path
        assert page.get_by_text("Compliance as of").count() == 1
        assert page.get_by_text("Not yet evaluated").count() >= 1
        context.close()

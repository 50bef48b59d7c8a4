"""base.html's head links, header and footer (core/templatetags/chrome.py): kept per language
and roles, with each page's own CSRF token and address."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from core.templatetags import chrome

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def nav_labels(html: str) -> list[str]:
    nav = html.split('<ul class="nav">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', nav)


def test_the_parts_are_rendered_once_then_kept(officer_client):
    officer_client.get(reverse("certificates:dashboard"))
    before = [part.cache_info() for part in (chrome._head, chrome._header, chrome._footer)]
    response = officer_client.get(reverse("courses:catalog"))
    after = [part.cache_info() for part in (chrome._head, chrome._header, chrome._footer)]
    assert response.status_code == 200
    assert [info.misses for info in after] == [info.misses for info in before]
    assert [info.hits for info in after] == [info.hits + 1 for info in before]


def test_every_page_has_its_own_token_and_it_is_accepted(officer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer)
    first = browser.get(reverse("certificates:dashboard")).content.decode()
    second = browser.get(reverse("certificates:dashboard")).content.decode()
    header_token, footer_token = TOKEN.findall(first)[0], TOKEN.findall(first)[-1]
    assert header_token == footer_token  # one token per response, as {% csrf_token %} gives
    assert TOKEN.findall(second)[0] != header_token  # masked anew
    # The footer's language form posts with it (a stale or placeholder token would be a 403).
    response = browser.post(
        reverse("accounts:set_language"),
        {"language": "ko", "next": "/dashboard/", "csrfmiddlewaretoken": TOKEN.findall(second)[-1]},
    )
    assert response.status_code == 302


def test_the_language_form_returns_to_this_page_escaped(officer_client):
    html = officer_client.get(reverse("certificates:dashboard") + '?a=<b>&c="d"').content.decode()
    assert '<input name="next" type="hidden" value="/dashboard/?a=%3Cb%3E&amp;c=%22d%22">' in html
    html = officer_client.get(reverse("courses:catalog")).content.decode()
    assert f'<input name="next" type="hidden" value="{reverse("courses:catalog")}">' in html


def test_the_navigation_follows_the_roles_on_the_next_page(officer_client, officer):
    page = reverse("accounts:profile")
    assert "My training record" in nav_labels(officer_client.get(page).content.decode())
    Membership.objects.filter(user=officer).delete()
    assert "My training record" not in nav_labels(officer_client.get(page).content.decode())


def test_the_header_and_footer_speak_the_page_language(officer_client):
    html = officer_client.get(
        reverse("certificates:dashboard"), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert '<html lang="ko">' in html
    assert "대시보드" in nav_labels(html)
    assert '<option value="ko" selected>' in html
    english = officer_client.get(reverse("certificates:dashboard")).content.decode()
    assert "Dashboard" in nav_labels(english) and '<option value="en" selected>' in english


def test_someone_signed_out_is_offered_sign_in_and_sign_up(client):
    html = client.get(reverse("account_login")).content.decode()
    assert nav_labels(html) == ["Sign in", "Sign up"]
    assert reverse("account_logout") not in html
    assert len(TOKEN.findall(html)) >= 2  # the login form's and the language form's

"""The page around the content (base.html's head links, header and footer), rendered once per
language and set of roles in each process.

The header (the brand, the main navigation for the viewer's roles, the sign-out form), the
footer (the language form) and the stylesheet and icon links are the same on every page for
everyone who reads the same language with the same roles, except for two values: the CSRF
token, masked anew for every response, and the footer's `next`, the page's own address.
Rendering them took about 0.7 ms of every page (about a fifth of a dashboard's CPU). So each
part is rendered once per key with a placeholder for those values, kept, and the placeholders
are replaced on every page.

    {% load chrome %}{% site_head %} ... {% site_header %} ... {% site_footer %}

A key holds everything the part shows besides the two values: the active language, the URL
prefix and, for the header, whether someone is signed in and their roles (the `user_roles`
context, read on every request, so a changed role shows on the next page). Navigation entries
are registered at start-up (core.nav) and translations are loaded at start-up, so neither
changes while a process runs; a changed setting (in tests) empties the store.
"""

import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.nav import items_for

register = template.Library()

# Control characters: never in a translation, a URL or a label, and left alone by escaping.
CSRF_INPUT = mark_safe("\x00csrf-input\x00")
NEXT = mark_safe("\x00next\x00")
CSRF_TOKEN = CsrfTokenNode()
KEPT = 64  # per part: languages x role combinations in use


@functools.lru_cache(maxsize=KEPT)
def _head(language: str, prefix: str) -> str:
    return render_to_string("core/chrome/head.html").strip()


@functools.lru_cache(maxsize=KEPT)
def _header(language: str, prefix: str, signed_in: bool, roles: tuple[str, ...]) -> str:
    context = {"signed_in": signed_in, "csrf_input": CSRF_INPUT}
    if signed_in:
        context["nav_items"] = items_for(roles)
    return render_to_string("core/chrome/header.html", context).strip()


@functools.lru_cache(maxsize=KEPT)
def _footer(language: str, prefix: str) -> str:
    context = {"csrf_input": CSRF_INPUT, "next": NEXT}
    return render_to_string("core/chrome/footer.html", context).strip()


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    for part in (_head, _header, _footer):
        part.cache_clear()


def _csrf_input(context) -> str:
    # The request's own token (the same one every {% csrf_token %} of the page shows), written
    # by the tag's own node.
    return CSRF_TOKEN.render(context)


@register.simple_tag
def site_head() -> str:
    # Each part is the template engine's output (escaped there); the values put in are a
    # format_html input and an escaped path.
    return mark_safe(_head(get_language(), get_script_prefix()))  # noqa: S308


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    roles = tuple(sorted(context.get("user_roles") or ())) if signed_in else ()
    html = _header(get_language(), get_script_prefix(), signed_in, roles)
    return mark_safe(html.replace(CSRF_INPUT, _csrf_input(context)))  # noqa: S308 - see site_head


@register.simple_tag(takes_context=True)
def site_footer(context) -> str:
    request = context.get("request")
    path = request.get_full_path() if request is not None else ""
    html = _footer(get_language(), get_script_prefix())
    html = html.replace(CSRF_INPUT, _csrf_input(context)).replace(NEXT, escape(path))
    return mark_safe(html)  # noqa: S308 - see site_head

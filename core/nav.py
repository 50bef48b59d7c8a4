"""The site's main navigation, filled by the apps: each app registers the pages it offers
(in its AppConfig.ready), so the base template in core names no view of a higher layer.

An entry is shown to every signed-in person, or only to holders of some roles (membership
role names, and "staff" for programme staff), as the `user_roles` context gives them.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str  # lazily translated
    url_name: str
    order: int
    roles: frozenset[str] | None = None  # None: everyone signed in


_items: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    """Add entries to the main navigation; registering a URL name again replaces it."""
    for item in items:
        _items[item.url_name] = item


def items_for(roles) -> list[tuple[str, str]]:
    """(label, URL) of the entries for a signed-in person with these roles, in order."""
    shown = sorted(_items.values(), key=lambda item: item.order)
    return [
        (str(item.label), reverse(item.url_name))
        for item in shown
        if item.roles is None or item.roles & set(roles)
    ]

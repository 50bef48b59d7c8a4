"""{% main_nav user_roles as items %}: the registered navigation entries for these roles."""

from django import template

from core.nav import items_for

register = template.Library()


@register.simple_tag
def main_nav(roles):
    return items_for(roles)

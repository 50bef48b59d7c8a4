"""Django's i18n template tags, with `{% translate "constant" %}` kept per language.

A page has thirty or so `{% translate "..." %}` of constant text; each looked its message up
in the merged catalogues and escaped it again on every render. The text depends only on the
active language, the message and whether the template escapes, and the catalogues do not
change while a process runs, so the rendered text is kept per those three. Anything else
(a variable, `as`, `noop`, `context`) renders as Django renders it.

Installed as the `i18n` library (TEMPLATES' OPTIONS "libraries"), so `{% load i18n %}` in
every template, the site's and the packages', loads these tags.
"""

from django import template
from django.templatetags import i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

_kept: dict[tuple, str] = {}


class KeptTranslateNode(i18n.TranslateNode):
    def render(self, context):
        expression = self.filter_expression
        constant = expression.var.literal if not expression.filters else None
        if constant is None or self.noop or self.asvar or self.message_context:
            return super().render(context)
        key = (get_language(), context.autoescape, constant)
        text = _kept.get(key)
        if text is None:
            text = _kept[key] = super().render(context)
        return text


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    node.__class__ = KeptTranslateNode
    return node

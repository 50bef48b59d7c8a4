"""Form widgets written in Python: Django's markup for inputs and selects without a template
per widget and per option.

Django renders every widget through templates: an input includes attrs.html, a select includes
select_option.html for each option, which includes attrs.html again. A filter form of two
short selects and a search box took a fifth of an agency roster's CPU that way. This renderer
writes the same markup from the same widget context (so Django still decides the attributes,
the value and which option is selected) for the templates it knows, and hands every other
template (radio buttons, checkbox lists, forms, fields, errors) to Django's renderer as
before. tests/core/test_formrender.py compares the two for each kind of widget.

    FORM_RENDERER = "core.formrender.QuickWidgets"
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
# Each of these templates is only {% include "django/forms/widgets/input.html" %}.
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        *("input", "checkbox", "color", "date", "datetime", "email", "file", "hidden"),
        *("number", "password", "search", "tel", "text", "time", "url"),
    )
)
SELECT = WIDGETS + "select.html"
OPTION = WIDGETS + "select_option.html"


def attributes(attrs: dict) -> SafeString:
    """attrs.html: ` name="value"` each, ` name` alone for True, nothing for False."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', _text(value)))
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _text(value):
    # |stringformat:'s' keeps a safe string safe (the filter is is_safe).
    return value if isinstance(value, SafeString) else str(value)


def render_input(widget: dict) -> SafeString:
    value = ""
    if widget["value"] is not None:
        value = format_html(' value="{}"', _text(widget["value"]))
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        value,
        attributes(widget["attrs"]),
    )


def render_select(widget: dict) -> SafeString:
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(
                format_html(
                    # select_option.html ends with a line break.
                    '\n  <option value="{}"{}>{}</option>\n',
                    _text(option["value"]),
                    attributes(option["attrs"]),
                    option["label"],
                )
            )
        if group_name:
            parts.append(mark_safe("\n  </optgroup>"))
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        attributes(widget["attrs"]),
        mark_safe("".join(parts)),  # noqa: S308 - each part made by format_html
    )


class QuickWidgets(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return render_input(context["widget"])
        if template_name == SELECT and all(
            option["template_name"] == OPTION
            for _name, options, _index in context["widget"]["optgroups"]
            for option in options
        ):
            return render_select(context["widget"])
        return super().render(template_name, context, request=request)

"""core.formrender: inputs and selects written in Python give Django's own markup."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from core.formrender import QuickWidgets
from reports.forms import RosterFilterForm

DJANGO, QUICK = DjangoTemplates(), QuickWidgets()

GROUPED = [
    ("", "Any"),
    ("Asia", [("kr", "Korea & <Japan>"), ("th", "Thailand")]),
    ("Europe", [("md", "Moldova"), ("ro", 'Romania "RO"')]),
    (3, "A number"),
]

WIDGETS = [
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.TextInput(attrs={"maxlength": 150, "autofocus": True}), 'a<b"c&d'),
    (forms.TextInput(), 0),
    (forms.TextInput(), mark_safe("<i>safe</i>")),
    (forms.EmailInput(attrs={"required": True, "aria-invalid": "true"}), "kim@knpa.example"),
    (forms.PasswordInput(render_value=False), "secret"),
    (forms.HiddenInput(), 42),
    (forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any"}), 12.5),
    (forms.DateInput(), datetime.date(2026, 12, 5)),
    (forms.DateTimeInput(), datetime.datetime(2026, 12, 5, 14, 30, tzinfo=datetime.UTC)),
    (forms.TimeInput(), datetime.time(9, 0)),
    (forms.URLInput(), "https://example.org/?a=1&b=2"),
    (forms.SearchInput(), "peel chain"),
    (forms.TelInput(), "+82 2 123"),
    (forms.ColorInput(), "#ffffff"),
    (forms.FileInput(), None),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(attrs={"disabled": False}), False),
    (forms.Select(choices=[("", "Any status"), ("approved", "Approved")]), ""),
    (forms.Select(choices=[("", "Any status"), ("approved", "Approved")]), "approved"),
    (forms.Select(choices=GROUPED, attrs={"id": "id_country", "required": True}), "md"),
    (forms.Select(choices=GROUPED), 3),
    (forms.Select(choices=[]), None),
    (forms.SelectMultiple(choices=GROUPED), ["kr", "ro"]),
    (forms.NullBooleanSelect(), None),
    (forms.NullBooleanSelect(), True),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda item: type(item).__name__)
def test_a_widget_reads_as_djangos_template_writes_it(widget, value):
    attrs = {"id": "id_field"}
    expected = widget.render("field", value, attrs=attrs, renderer=DJANGO)
    assert widget.render("field", value, attrs=attrs, renderer=QUICK) == expected


def test_other_widgets_go_to_djangos_templates():
    radios = forms.RadioSelect(choices=[("a", "A"), ("b", "B")])
    assert radios.render("choice", "a", renderer=QUICK) == radios.render(
        "choice", "a", renderer=DJANGO
    )


@pytest.mark.django_db
def test_a_bound_form_with_errors_reads_the_same():
    data = {"q": "kim <script>", "status": "nonsense", "role": "officer"}
    quick, django = RosterFilterForm(data, renderer=QUICK), RosterFilterForm(data, renderer=DJANGO)
    assert not quick.is_valid() and not django.is_valid()
    for name in ("q", "status", "role"):
        assert str(quick[name]) == str(django[name])
    assert str(quick) == str(django)


def test_the_site_renders_forms_with_it():
    assert isinstance(get_default_renderer(), QuickWidgets)

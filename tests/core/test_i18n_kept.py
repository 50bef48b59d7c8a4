"""{% load i18n %} is core.templatetags.i18n_kept: a constant {% translate %} is kept per
language, message and escaping, and renders what Django's tag renders."""

from collections import defaultdict

from django.template import Context, Engine, Template, engines
from django.template.backends.django import get_template_tag_modules
from django.utils import translation

from core.templatetags.i18n_kept import KeptTranslateNode

DJANGO = Engine(libraries={"i18n": "django.templatetags.i18n"})

MARKUPS = [
    '{% translate "Dashboard" %}',
    '{% translate "Tom & Jerry <b>" %}',
    '{% autoescape off %}{% translate "Tom & Jerry <b>" %}{% endautoescape %}',
    '{% translate "100%% sure" %}',
    "{% translate word %}",
    "{% translate html %}",
    '{% translate "Dashboard" as d %}[{{ d }}]',
    '{% translate "Dashboard" noop %}',
    '{% translate "Dashboard" context "nothing" %}',
    '{% translate "Dashboard"|upper %}',
]


def render(markup: str, engine=None) -> str:
    context = Context({"word": "Dashboard", "html": "<i>Dashboard</i>"})
    if engine is None:
        return Template("{% load i18n %}" + markup).render(context)
    return engine.from_string("{% load i18n %}" + markup).render(context)


def test_the_site_loads_the_kept_tags():
    template = Template('{% load i18n %}{% translate "Dashboard" %}')
    assert isinstance(template.nodelist[-1], KeptTranslateNode)


def test_every_form_renders_as_djangos_tag_in_every_language_twice():
    for language in ("en", "ko", "en", "ro", "th", "ko"):
        with translation.override(language):
            for markup in MARKUPS:
                expected = render(markup, DJANGO)
                assert render(markup) == expected, (language, markup)
                assert render(markup) == expected, (language, markup)  # kept


def test_a_constant_follows_the_active_language():
    markup = '{% translate "Dashboard" %}'
    with translation.override("ko"):
        assert render(markup) == "대시보드"
    with translation.override("en"):
        assert render(markup) == "Dashboard"


def test_no_other_tag_library_name_is_taken_twice():
    """What Django's templates.W003 checks (silenced for the one replacement meant)."""
    modules = defaultdict(set)
    for name, path in get_template_tag_modules():
        modules[name].add(path)
    for name, path in engines["django"].engine.libraries.items():
        modules[name].add(path)
    taken_twice = {name: paths for name, paths in modules.items() if len(paths) > 1}
    assert taken_twice == {"i18n": {"django.templatetags.i18n", "core.templatetags.i18n_kept"}}

"""{% cache_fragment %}: cached by its inputs and its own markup, rendered when the cache fails."""

import pytest
from django.template import Context, Template

from core.templatetags import fragment_cache


def render(markup: str, **context) -> str:
    return Template("{% load fragment_cache %}" + markup).render(Context(context))


def counting(calls: list) -> str:
    """{{ tick }} renders as the number of times the fragment was rendered."""
    calls.append(1)
    return str(len(calls))


@pytest.fixture
def calls():
    return []


def test_a_fragment_is_rendered_once_per_input(calls):
    fragment = "{% cache_fragment 60 sample who %}{{ tick }} for {{ who }}{% endcache_fragment %}"
    tick = lambda: counting(calls)  # noqa: E731
    assert render(fragment, who="a", tick=tick) == "1 for a"
    assert render(fragment, who="a", tick=tick) == "1 for a"
    assert render(fragment, who="b", tick=tick) == "2 for b"


def test_a_changed_markup_is_never_served_from_the_old_entry():
    assert render("{% cache_fragment 60 sample %}old{% endcache_fragment %}") == "old"
    assert render("{% cache_fragment 60 sample %}new{% endcache_fragment %}") == "new"


class BrokenCache:
    """Redis stopped: every call fails."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Redis is down")

        return fail


def test_a_failing_cache_renders_the_fragment(monkeypatch):
    monkeypatch.setattr(fragment_cache, "cache", BrokenCache())
    assert render("{% cache_fragment 60 sample %}here{% endcache_fragment %}") == "here"

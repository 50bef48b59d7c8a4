"""{% cache_fragment timeout name var1 var2 ... %}...{% endcache_fragment %}: Django's
{% cache %}, except that a cache that fails (Redis stopped) renders the fragment instead of
failing the page, and that the key carries a digest of the fragment's own markup, so a
release (or an edit in development) that changes it never serves the old HTML. Vary on every
other input the fragment shows (included templates are not in the digest), and never cache a
CSRF token or anything of one person under a key others can reach."""

import hashlib
import logging

from django import template
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key

logger = logging.getLogger(__name__)

register = template.Library()


class FragmentCacheNode(template.Node):
    def __init__(self, nodelist, timeout, name: str, vary_on):
        self.nodelist = nodelist
        self.timeout = timeout
        self.name = name
        self.vary_on = vary_on

    def render(self, context) -> str:
        key = make_template_fragment_key(self.name, [var.resolve(context) for var in self.vary_on])
        try:
            value = cache.get(key)
        except Exception:
            logger.warning("Fragment cache unavailable: rendering %s", self.name)
            return self.nodelist.render(context)
        if value is None:
            value = self.nodelist.render(context)
            try:
                cache.set(key, value, int(self.timeout.resolve(context)))
            except Exception:
                logger.warning("Fragment cache unavailable: %s not stored", self.name)
        return value


@register.tag("cache_fragment")
def do_cache_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a timeout and a fragment name")
    ahead = parser.tokens[:]  # a stack: the next token last
    nodelist = parser.parse(("endcache_fragment",))
    # parse() leaves the end tag on the stack: what lies above it is the fragment's markup.
    markup = "\x00".join(
        f"{part.token_type.value}:{part.contents}" for part in ahead[len(parser.tokens) :]
    )
    parser.delete_first_token()
    digest = hashlib.sha256(markup.encode()).hexdigest()[:12]
    return FragmentCacheNode(
        nodelist,
        parser.compile_filter(bits[1]),
        f"{bits[2]}:{digest}",
        [parser.compile_filter(bit) for bit in bits[3:]],
    )

"""Caching what depends only on the imported content (a course's outline, the course page's
rendered outline), keyed by the content generation: a token that every sync_content run (but
a dry run) replaces, so nothing cached from the old rows is read again.

The content has no single version of its own (each file has its hash, each lesson its
versions), and a request should not ask the database for one: the token lives in the cache
beside what it versions, and one round trip reads both. A cache that is down or flushed costs
a rebuild from the database, never a wrong page.
"""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)

GENERATION_KEY = "courses:content-generation"

# Entries are rebuilt when the generation moves, not when they age; the timeout only lets
# the cache forget courses nobody opens any more.
ENTRY_SECONDS = 24 * 60 * 60


def content_changed() -> None:
    """A new content generation: everything cached under the old one is stale from now on.
    Raises when the cache cannot be reached: an import must not commit while the cache keeps
    what it replaces (sync_content fails, and is run again once the cache is back)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _current_generation(found: dict) -> str:
    """The generation read with the entry, or a new one when the cache had none (first use,
    or flushed). A random token, not a counter: a counter restarted after a flush could meet
    an entry left under the same number by an older import."""
    generation = found.get(GENERATION_KEY)
    if generation is not None:
        return generation
    generation = uuid.uuid4().hex
    if not cache.add(GENERATION_KEY, generation, timeout=None):
        # Another process got there first: use its token.
        generation = cache.get(GENERATION_KEY) or generation
    return generation


def cached_for_content(
    key: str, build: Callable[[str], Any], *, timeout: int = ENTRY_SECONDS
) -> Any:
    """The entry at key if it was built for the current content generation, else
    build(generation), stored there. build's result carries the generation it was built for
    (a `generation` attribute), so one cache read gives both the entry and the token it must
    match. The generation is read before the rows are, so an import that lands while an entry
    is being built leaves that entry under the old token: the next request rebuilds it.
    timeout: how long an entry nobody reads again is kept."""
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = _current_generation(found)
    except Exception:
        logger.warning("Content cache unavailable: building %s from the database", key)
        # A generation of its own, so that nothing keyed by it (a template fragment cached
        # once the cache is back) is ever read by another request.
        return build(uuid.uuid4().hex)
    entry = found.get(key)
    if entry is not None and entry.generation == generation:
        return entry
    entry = build(generation)
    try:
        cache.set(key, entry, timeout=timeout)
    except Exception:
        logger.warning("Content cache unavailable: %s not stored", key)
    return entry

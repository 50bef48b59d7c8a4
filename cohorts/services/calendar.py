"""Writes for personal calendar feeds: issue (or replace) the secret token, revoke it, and
note when the feed was last read."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import User
from accounts.selectors import primary_membership
from cohorts.models import CalendarFeed, hash_feed_token
from core.audit import AuditContext

# How often reading a feed is written down (calendar apps poll it every few minutes).
FEED_USE_RESOLUTION = timedelta(hours=1)


def _agency(user: User):
    membership = primary_membership(user=user)
    return membership.agency if membership else None


@transaction.atomic
def calendar_feed_issue(*, user: User, context: AuditContext | None = None) -> str:
    """Give the person a new feed token, which replaces (and so revokes) any earlier one.
    Only its hash is kept: the token is returned to be shown once."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    replaced = feed is not None
    if feed is None:
        feed = CalendarFeed(user=user)
    feed.token_hash = hash_feed_token(token)
    feed.created_at = now
    feed.last_used_at = None
    feed.save()
    audit_log(
        action="calendar.feed_issue",
        actor=user,
        target=feed,
        agency=_agency(user),
        details={"replaced": replaced},
        context=context,
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, user: User, context: AuditContext | None = None) -> bool:
    """Switch the person's feed off; its address stops working. False if there was none."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return False
    audit_log(
        action="calendar.feed_revoke",
        actor=user,
        target=feed,
        agency=_agency(user),
        details={"feed_id": feed.pk},
        context=context,
    )
    feed.delete()
    return True


def calendar_feed_touch(*, feed: CalendarFeed, context: AuditContext | None = None) -> bool:
    """Record that the feed was read, at most once an hour (a conditional update, so
    concurrent reads write once; within the hour, nothing is written at all)."""
    now = timezone.now()
    cutoff = now - FEED_USE_RESOLUTION
    if feed.last_used_at is not None and feed.last_used_at >= cutoff:
        return False
    with transaction.atomic():
        touched = (
            CalendarFeed.objects.filter(pk=feed.pk)
            .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff))
            .update(last_used_at=now)
        )
        if touched:
            feed.last_used_at = now
            audit_log(
                action="calendar.feed_use",
                actor=feed.user,
                target=feed,
                details={"feed_id": feed.pk},
                context=context,
            )
    return bool(touched)

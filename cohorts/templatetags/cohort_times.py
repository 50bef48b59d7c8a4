"""Session times as people need them: the venue's wall-clock time always, and the viewer's
own time beside it when their zone shows a different clock."""

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("cohorts/includes/session_times.html", takes_context=True)
def session_times(context, session):
    """{% session_times session %}: date and hours at the venue, plus the viewer's when they
    differ (the viewer's zone is the one ViewerTimezoneMiddleware activated)."""
    venue_start, venue_end = session.local_start, session.local_end
    viewer_zone = timezone.get_current_timezone()
    viewer_start = session.starts_at.astimezone(viewer_zone)
    viewer_end = session.ends_at.astimezone(viewer_zone)
    differs = (
        viewer_start.replace(tzinfo=None) != venue_start.replace(tzinfo=None)
        or viewer_start.utcoffset() != venue_start.utcoffset()
    )
    return {
        "session": session,
        "venue_start": venue_start,
        "venue_end": venue_end,
        "venue_zone": session.time_zone,
        "viewer_start": viewer_start,
        "viewer_end": viewer_end,
        "viewer_zone": str(viewer_zone),
        "differs": differs,
    }

"""Every write to cohorts (a package from the next commit on; this re-export keeps the
move a pure rename, for history)."""

from cohorts.services.schedule import *  # noqa: F403

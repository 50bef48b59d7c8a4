"""Compliance of officers against the requirement set their agency follows.

Rules (also shown on the agency's requirements page):
- Cycles. A set with a fixed anchor runs consecutive cycles of `cycle_months` months from its
  anchor date (and before it); a set anchored at the start runs them from each officer's
  start (the membership's creation, as a date in the agency's time zone). The current cycle is
  the one containing today, in the agency's time zone. A cycle is [start, end): it ends at the
  midnight that begins its last day + 1.
- A cycle is MET when, inside it, the officer's hours (lessons completed and sessions
  attended, reports.selectors.hours) reach every minimum per category and the total, and every
  required course (its enrollment's completion) or module (its last lesson completed, all of
  them completed) was completed before it ends (inside it or in an earlier cycle: a lesson and
  a course are completed once, so what recurs each cycle is the hours and, where asked, a
  current certificate, which a renewal keeps current). For the current cycle, when the set asks for a
  current certificate, the officer must also hold an issued certificate, valid now (no end of
  validity, or one in the future), of a required course (of the courses named by `required`,
  modules included) or of any course when the set requires none.
- State today: COMPLIANT when the current cycle is met; else OVERDUE when the officer was
  bound by the previous cycle (started on or before its first day) and did not meet it; else
  AT_RISK when fewer than settings.REPORTS_AT_RISK_DAYS days are left in the current cycle;
  else COMPLIANT (in good standing, with time left). NO_REQUIREMENT when the agency follows no
  requirement set.
- A lesson's minutes count as hours in the cycle where it was completed.

A fixed number of queries for any number of officers and agencies: the agencies'
requirements, the required courses and modules, hours (online and in person, grouped by
officer, category and cycle), course and module completions and current certificates.
"""

from reports.selectors.compliance.cycles import (
    CATEGORIES,
    SECONDS_PER_HOUR,
    ZERO,
    add_months,
    cycle_containing,
)
from reports.selectors.compliance.judge import (
    AT_RISK,
    COMPLIANT,
    NO_REQUIREMENT,
    OVERDUE,
    STATES,
    OfficerCompliance,
    fact_json,
    minimum_hours,
    officers_compliance,
    shortfall_lines,
    state_labels,
)

__all__ = [
    "AT_RISK",
    "CATEGORIES",
    "COMPLIANT",
    "NO_REQUIREMENT",
    "OVERDUE",
    "SECONDS_PER_HOUR",
    "STATES",
    "ZERO",
    "OfficerCompliance",
    "add_months",
    "cycle_containing",
    "fact_json",
    "minimum_hours",
    "officers_compliance",
    "shortfall_lines",
    "state_labels",
]

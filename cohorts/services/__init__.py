"""Every write to cohorts, one module per capability: schedule, seats, attendance,
completion, calendar."""

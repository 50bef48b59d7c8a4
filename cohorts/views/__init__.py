"""The pages of cohorts, one module per capability: schedule, seats, attendance, calendar."""

"""Reads for reports, one module per report: rosters, cohort reports, dashboards, training
records (transcripts) and compliance."""

"""Views of reports, one module per report: agencies.py (agency rosters and their export),
cohorts.py (the cohort report and its export), personal_data.py ("download my data")."""

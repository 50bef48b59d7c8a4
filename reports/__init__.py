"""Agency dashboards, rosters and exports: reads every app, writes nothing of its own."""

"""Tracing labs: synthetic, seeded transaction graphs that officers trace, with an answer key."""

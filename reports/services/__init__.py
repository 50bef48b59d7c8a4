"""Writes for reports, one module per capability."""

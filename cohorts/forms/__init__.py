"""Validation of user input, one module per capability: schedule, seats, attendance."""

"""Quizzes, questions, attempts and server-side grading."""

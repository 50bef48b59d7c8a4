"""Courses, modules, lessons and their versions, enrollments and progress; the content pipeline."""

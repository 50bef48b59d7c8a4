"""Fixtures shared by the assessments tests."""

import pytest

from courses.services import enrollment_create


@pytest.fixture
def quiz(course):
    """The first module's quiz of the standard test course."""
    return course.modules.first().quiz


@pytest.fixture
def enrollment(officer, course):
    return enrollment_create(user=officer, course=course)

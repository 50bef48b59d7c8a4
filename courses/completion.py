"""Extra conditions for completing a course, registered by higher layers (passed quizzes...)."""

from collections.abc import Callable

from courses.models import Enrollment

CompletionRequirement = Callable[[Enrollment], bool]
_requirements: list[CompletionRequirement] = []


def register_completion_requirement(requirement: CompletionRequirement) -> None:
    if requirement not in _requirements:
        _requirements.append(requirement)


def requirements_met(enrollment: Enrollment) -> bool:
    return all(requirement(enrollment) for requirement in _requirements)

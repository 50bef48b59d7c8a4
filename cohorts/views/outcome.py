"""How a page tells the person what one write did: its refusal as an error message, or its
success; the pages then redirect."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def reported(request, write: Callable[[], Any], success: Callable[[Any], str] | str) -> Any:
    """Call the service; a ValidationError becomes an error message (and None is returned),
    otherwise the success message (text, or made from the service's result) is shown and the
    result returned."""
    try:
        result = write()
    except ValidationError as error:
        messages.error(request, error_text(error))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result

"""Running the project's Python in a process of its own, for what a test process cannot show
about itself: settings read at import, what a fresh process loads, logging configured once."""

import subprocess
import sys

from django.conf import settings


def project_python(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess:
    """This interpreter with args (`-c code`, `manage.py ...`) in the project folder and the
    given environment; output captured as text; a failing exit is the caller's to judge."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

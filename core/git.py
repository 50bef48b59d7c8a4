"""The commit a checkout is at, for records that say which code or content made them."""

import shutil
import subprocess
from pathlib import Path


def git_commit(root: Path) -> str:
    """HEAD's commit id of the checkout at root; "" without git or outside a checkout (a
    release tree, a container)."""
    git = shutil.which("git")
    if git is None:
        return ""
    try:
        result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [git, "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""

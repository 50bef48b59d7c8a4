#!/usr/bin/env bash
# Prints the path of a Python 3.12+ interpreter: python3.13/python3.12 on PATH, then pyenv's.
set -euo pipefail

works() {
  "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

for candidate in python3.13 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && works "$candidate"; then
    command -v "$candidate"
    exit 0
  fi
done
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for candidate in "$pyenv_root"/versions/3.13*/bin/python "$pyenv_root"/versions/3.12*/bin/python; do
  if [ -x "$candidate" ] && works "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done
echo "error: Python 3.12 or newer is required (Django 6.1), and none was found." >&2
echo "Install python3.12 or python3.13 (Debian: apt-get install python3.12 python3.12-venv;" >&2
echo "or pyenv install 3.12) and run make again." >&2
exit 1

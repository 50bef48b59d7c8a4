"""config.wsgi: a web worker loads every view before its first request and sets what it
loaded aside from the garbage collector (gc.freeze), so full collections and the worker's exit
do not walk it again."""

import os

from tests.processes import project_python

PROBE = """
import gc, sys
import config.wsgi
print(gc.get_freeze_count(), "certificates.views.pages" in sys.modules)
"""


def test_a_worker_starts_with_its_views_loaded_and_frozen():
    found = project_python(
        "-c", PROBE, env=os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    )
    assert found.returncode == 0, found.stderr
    frozen, views_loaded = found.stdout.split()
    assert int(frozen) > 100_000
    assert views_loaded == "True"

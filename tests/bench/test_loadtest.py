"""`make loadtest`'s simulated people (bench/loadtest/locustfile.py) still find their way
through the site, so the benchmark measures pages rather than error pages: one officer and one
agency admin, made by the load test's own seeder, each do one round through locust (the load
generator's --smoke run, in a process of its own) against the live server, thinking 0 s, and
not one request fails."""

import json
import os
import sys

from django.conf import settings

from tests.conftest import _database_url
from tests.processes import project_python

LOADTEST = settings.BASE_DIR / "bench" / "loadtest"
sys.path[:0] = [str(LOADTEST), str(LOADTEST.parent)]
from seed import course_plan, people_create  # noqa: E402 (bench/loadtest/seed.py)

GROUPS = {
    "sign-in",
    "sign-in MFA code",
    "lesson",
    "lesson marked read",
    "quiz page",
    "quiz start",
    "autosave",
    "quiz submit",
    "quiz result",
    "dashboard",
    "dashboard officers",
    "roster",
}


def test_an_officer_and_an_admin_each_do_a_round_without_a_failed_request(
    live_server, curriculum, tmp_path
):
    from accounts.demo import DEMO_PASSWORD

    people = people_create(officers=1, admins=1)
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "password": DEMO_PASSWORD,
                "officers": people.officers,
                "admins": people.admins,
                # One lesson a module, to be quick; the second module's quiz may draw a
                # tracing lab.
                "modules": [{**m, "lessons": m["lessons"][:1]} for m in course_plan()],
                "first_module": 1,
                "think": [0, 0],
                "rounds": 1,
            }
        )
    )
    out = tmp_path / "results.json"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DB_CONN_MAX_AGE": "0",
        "LOADTEST_PLAN": str(plan),
    }
    done = project_python(
        str(LOADTEST / "generate.py"), "--host", live_server.url, "--out", str(out), "--smoke",
        env=env, timeout=90,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-3000:]
    smoke = json.loads(out.read_text())["phases"][0]
    assert smoke["errors"] == 0, smoke["why"]
    assert smoke["unfinished"] == 0
    assert set(smoke["groups"]) == GROUPS
    assert smoke["groups"]["quiz submit"]["count"] == 1
    assert smoke["groups"]["autosave"]["count"] >= 1

"""The beat lock (core/beatlock.py) on the test Redis: one beat sends, a second stays idle and
takes over once the first stops or its lock lapses. The schedulers publish real messages to a
queue of this test's own, which no worker reads, and the test counts them there."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from celery.beat import Service
from django.conf import settings as django_settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.celery import app as celery_app
from core.beatlock import BeatLock, LockedScheduler
from tests.polling import wait_for

QUEUE = "beatlock-test"


@pytest.fixture
def client():
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    client.delete(QUEUE, django_settings.BEAT_LOCK_KEY)
    yield client
    client.delete(QUEUE, django_settings.BEAT_LOCK_KEY)


def probe_scheduler(name: str, tmp_path) -> LockedScheduler:
    """A beat whose only periodic task is sent every 0.1 s to QUEUE, its name as argument
    (the message's headers carry it in plain text: `argsrepr`)."""
    app = Celery(f"beatlock-{name}", broker=django_settings.REDIS_URL, set_as_current=False)
    app.conf.beat_schedule = {
        "probe": {
            "task": "beatlock.probe",
            "schedule": 0.1,
            "args": [name],
            "options": {"queue": QUEUE},
        }
    }
    return LockedScheduler(app=app, schedule_filename=str(tmp_path / name))


def run_ticks(schedulers, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for scheduler in schedulers:
            scheduler.tick()
        time.sleep(0.05)


def sent_by(client, name: str) -> int:
    return sum(1 for message in client.lrange(QUEUE, 0, -1) if name.encode() in message)


def test_lock_is_held_by_one_token_and_taken_over_after_release_or_expiry(client):
    first = BeatLock(client, key=django_settings.BEAT_LOCK_KEY, seconds=0.3, token="first")
    second = BeatLock(client, key=django_settings.BEAT_LOCK_KEY, seconds=0.3, token="second")

    assert first.hold()
    assert first.hold()  # renewed
    assert not second.hold()
    first.release()
    assert second.hold()

    second.release()
    assert first.hold()
    time.sleep(0.4)  # first's beat died: its lock lapses
    assert second.hold()
    assert not first.hold()  # a late renewal cannot take it back
    assert first.holder() is None or first.holder() == "second"


def test_a_redis_that_does_not_answer_means_the_lock_is_not_held(tmp_path):
    no_retries = Retry(NoBackoff(), 0)  # the default client retries for seconds first
    unreachable = redis.Redis(unix_socket_path=str(tmp_path / "nothing.sock"), retry=no_retries)
    lock = BeatLock(unreachable, key="k", seconds=1, token="t")
    assert not lock.hold()


def test_second_beat_sends_nothing_until_the_first_stops(client, settings, tmp_path):
    settings.BEAT_LOCK_SECONDS = 3
    first = probe_scheduler("first-beat", tmp_path)
    second = probe_scheduler("second-beat", tmp_path)

    run_ticks([first, second], 0.8)
    assert first.holding and not second.holding
    assert sent_by(client, "first-beat") >= 3
    assert sent_by(client, "second-beat") == 0
    assert second.max_interval <= 1  # a third of the lock's lifetime: never lapses

    first.close()  # a clean stop hands the lock over at once
    client.delete(QUEUE)
    run_ticks([second], 0.8)
    assert second.holding
    assert sent_by(client, "second-beat") >= 3
    second.close()
    assert client.get(django_settings.BEAT_LOCK_KEY) is None


def test_celery_beat_uses_the_locked_scheduler(tmp_path):
    # What `celery -A config beat` builds, with the scheduler the settings name.
    beat = celery_app.Beat(schedule=str(tmp_path / "schedule"))
    service = Service(celery_app, scheduler_cls=beat.scheduler_cls, schedule_filename=beat.schedule)
    scheduler = service.get_scheduler(lazy=True)
    assert isinstance(scheduler, LockedScheduler)
    assert scheduler.lock is not None


def start_beat(name: str, tmp_path) -> tuple[subprocess.Popen, Path]:
    """`celery -A config beat` as deployed, on the test Redis, sweeping every second."""
    log = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "REDIS_URL": django_settings.REDIS_URL,
        "BEAT_LOCK_SECONDS": "2",
        "OUTBOX_SWEEP_SECONDS": "1",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
    command.append(f"--schedule={tmp_path / name}")
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=django_settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return process, log


def sends(log: Path) -> int:
    return log.read_text().count("Sending due task outbox-sweep")


def test_two_beat_processes_send_from_one_and_the_standby_takes_over_after_a_kill(client, tmp_path):
    beats = [start_beat(name, tmp_path) for name in ("one", "two")]
    try:
        # Both start together (two machines booting): whichever takes the lock leads.
        def roles():
            texts = [log.read_text() for _process, log in beats]
            if all("beat lock:" in text for text in texts):
                return ["beat lock: taken" in text for text in texts]
            return None

        taken = wait_for(roles, timeout=30, message="both beats decide")
        assert taken.count(True) == 1
        (leader, leader_log), (_standby, standby_log) = beats if taken[0] else list(reversed(beats))
        wait_for(lambda: sends(leader_log) >= 1, timeout=10, message="the leader sends")
        assert sends(standby_log) == 0
        assert "standing by" in standby_log.read_text()

        leader.kill()  # no clean stop: its lock lapses after BEAT_LOCK_SECONDS
        leader.wait()
        wait_for(lambda: sends(standby_log) >= 1, timeout=15, message="the standby takes over")
        assert "beat lock: taken" in standby_log.read_text()
    finally:
        for process, _log in beats:
            process.kill()
            process.wait()

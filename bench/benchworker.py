"""A real Celery worker for a benchmark: started as its own process (prefork, the given
concurrency), and waited for until it answers a ping. Imported by the benchmarks that time
work done by workers (certificate_latency.py, certificate_throughput.py)."""

import os
import subprocess
import sys
import time
from pathlib import Path


def start_worker(*, concurrency: int, name: str, cwd: Path, log: Path | None = None):
    """The worker's process; its output goes to `log` when given (else to this terminal)."""
    from config.celery import app

    node = f"{name}-{os.getpid()}@localhost"
    out = None
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        out = log.open("wb")
    try:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                node,
            ],
            cwd=cwd,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
        )
    finally:
        if out is not None:
            out.close()
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[node], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            where = f"; see {log}" if log else ""
            raise SystemExit(f"the Celery worker did not start{where}")
    return process

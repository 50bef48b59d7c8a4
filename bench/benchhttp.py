"""Servers and load for the page throughput benchmark (page_throughput.py): gunicorn started
on a socket made here and stopped as a process group, a small HTTP client that does not follow
redirects, and wrk with bench/wrk_report.lua."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
WRK_REPORT = Path(__file__).resolve().parent / "wrk_report.lua"


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    base: str
    log: Path


def listening_socket() -> socket.socket:
    """A loopback socket on a free port, listening already: gunicorn takes it over (fd://),
    so no other process can take the port between choosing it and binding it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def start_gunicorn(
    servers: list[Server],
    name: str,
    app: str,
    *,
    sock: socket.socket,
    env: dict,
    cwd: Path,
    log: Path,
) -> Server:
    """gunicorn with deploy/gunicorn.conf.py on the given socket, in a process group of its
    own (stopped as a whole by stop()), added to `servers` at once; its output goes to `log`,
    its control socket beside it (the default, ~/.gunicorn/gunicorn.ctl, is one per machine)."""
    command = [sys.executable, "-m", "gunicorn", app, "-c", str(GUNICORN_CONF)]
    command += ["--bind", f"fd://{sock.fileno()}", "--control-socket", str(log.with_suffix(".ctl"))]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=[sock.fileno()],
            start_new_session=True,
        )
    host, port = sock.getsockname()
    servers.append(Server(name, process, f"http://{host}:{port}", log))
    sock.close()  # gunicorn holds it now
    return servers[-1]


def wait_ready(server: Server, path: str, *, workers: int, timeout: float = 120) -> None:
    """Until every worker (`workers` of them) has booted and the server answers `path` with 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            fail(server, f"gunicorn ({server.name}) exited with {server.process.returncode}")
        if boots(server) >= workers and http_request(server.base + path, timeout=5)[0] == 200:
            return
        time.sleep(0.5)
    fail(server, f"gunicorn ({server.name}) was not ready within {timeout:.0f} s")


def stop(server: Server) -> None:
    """SIGTERM to the whole process group (arbiter and workers), SIGKILL if it lingers."""
    if server.process.poll() is not None:
        return
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=35)  # gunicorn's graceful_timeout is 30 s
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
    except ProcessLookupError:
        pass


def fail(server: Server, message: str):
    tail = server.log.read_text(errors="replace").splitlines()[-30:]
    raise SystemExit(f"{message}\n--- last lines of {server.log.name}:\n" + "\n".join(tail))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_request(
    url: str, *, opener=None, data: dict | None = None, cookie: str = "", timeout: float = 30
):
    """(status, headers, body) without following redirects; no answer (a refused connection,
    a timeout) is status 0."""
    opener = opener or urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(  # noqa: S310 (http on loopback only)
        url, data=urllib.parse.urlencode(data).encode() if data is not None else None
    )
    if cookie:
        request.add_header("Cookie", f"sessionid={cookie}")
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")
    except OSError:  # URLError, ConnectionError, TimeoutError
        return 0, {}, ""


def csrf_token(body: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match:
        raise SystemExit("sign-in: no CSRF token in the form")
    return match.group(1)


def wrk(url: str, *, connections: int, seconds: int, timeout: int, cookie: str = "") -> dict:
    command = [shutil.which("wrk") or "wrk", f"--threads={min(2, connections)}"]
    command += [f"--connections={connections}", f"--duration={seconds}s"]
    command += [f"--timeout={timeout}s", f"--script={WRK_REPORT}"]
    if cookie:
        command += ["--header", f"Cookie: sessionid={cookie}"]
    run = subprocess.run([*command, url], capture_output=True, text=True, check=True)  # noqa: S603
    line = next((x for x in run.stdout.splitlines() if x.startswith("wrk_report ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no report:\n{run.stdout}\n{run.stderr}")
    report = {key: int(value) for key, value in (f.split("=") for f in line.split()[1:])}
    report["rps"] = report["requests"] / (report["duration_us"] / 1e6)
    return report


def boots(server: Server) -> int:
    return server.log.read_text(errors="replace").count("Booting worker")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"

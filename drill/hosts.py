"""The drill's machines on one computer: a network namespace per node, joined to a bridge on
the host by a veth pair, and the host-side servers (a PostgreSQL cluster of the drill's own,
Redis, nginx) bound to the bridge's address, as a private network would have them.

Everything made here is recorded in `Hosts` and undone by `Hosts.teardown()`, which the drill
calls in a `finally`, also after a failure or a signal.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BRIDGE = "ccdrill0"
SUBNET = "10.231.0"
HOST_IP = f"{SUBNET}.1"
NODES = {"web1": 11, "web2": 12, "worker1": 21, "worker2": 22}
PG_BIN_ROOT = Path("/usr/lib/postgresql")


def run(*command: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True, **kwargs)  # noqa: S603


def namespace(node: str) -> str:
    return f"ccdrill-{node}"


def node_ip(node: str) -> str:
    return f"{SUBNET}.{NODES[node]}"


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def wait_for_port(address: str, port: int, seconds: float, process=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args[:3]} exited with {process.returncode}")
        try:
            with socket.create_connection((address, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on {address}:{port} after {seconds} s")


def pg_bin() -> Path:
    """The newest installed PostgreSQL's binaries (Debian's layout)."""
    versions = sorted(PG_BIN_ROOT.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise SystemExit("drill: no PostgreSQL server binaries under /usr/lib/postgresql")
    return versions[-1].parent


@dataclass
class Hosts:
    tmp: Path
    log_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    namespaces: list[str] = field(default_factory=list)
    pg_data: Path | None = None
    pg_port: int = 0
    redis_port: int = 0
    nginx_port: int = 0

    # --- network ---------------------------------------------------------------------------
    def network_up(self) -> None:
        self.network_down()  # what an earlier, interrupted drill may have left
        run("ip", "link", "add", BRIDGE, "type", "bridge")
        run("ip", "addr", "add", f"{HOST_IP}/24", "dev", BRIDGE)
        run("ip", "link", "set", BRIDGE, "up")
        for node in NODES:
            ns, host_end = namespace(node), f"ccd-{node}"
            run("ip", "netns", "add", ns)
            self.namespaces.append(ns)
            run("ip", "link", "add", host_end, "type", "veth", "peer", "name", "eth0", "netns", ns)
            run("ip", "link", "set", host_end, "master", BRIDGE, "up")
            run(
                "ip", "netns", "exec", ns, "ip", "addr", "add", f"{node_ip(node)}/24", "dev", "eth0"
            )
            run("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up")
            run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")

    def network_down(self) -> None:
        for node in NODES:
            ns = namespace(node)
            self.kill_node(node)
            run("ip", "netns", "del", ns, check=False)
            run("ip", "link", "del", f"ccd-{node}", check=False)
        run("ip", "link", "del", BRIDGE, check=False)

    # --- processes -------------------------------------------------------------------------
    def start(
        self, name: str, command: list[str], *, env: dict, node: str | None = None, cwd=None
    ) -> subprocess.Popen:
        """Start a process (in a node's namespace when given); its output goes to a log."""
        if node is not None:
            command = ["ip", "netns", "exec", namespace(node), *command]
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603
            command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.processes[name] = process
        return process

    def node_pids(self, node: str) -> list[int]:
        result = run("ip", "netns", "pids", namespace(node), check=False)
        return [int(pid) for pid in result.stdout.split()]

    def kill_node(self, node: str) -> int:
        """kill -9 every process of the node, as a machine losing power would; how many."""
        pids = self.node_pids(node)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for name, process in list(self.processes.items()):
            if process.pid in pids or name.startswith(f"{node}-"):
                process.poll()
        return len(pids)

    def stop(self, name: str, sig: int = signal.SIGTERM, seconds: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=seconds)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    # --- host-side servers -----------------------------------------------------------------
    def postgres_up(self) -> str:
        """A PostgreSQL cluster of the drill's own in the temporary folder, listening on the
        bridge only (the system's cluster is left alone); trust for the bridge's subnet."""
        self.pg_data = self.tmp / "pgdata"
        self.pg_data.mkdir()
        shutil.chown(self.tmp, "postgres")
        shutil.chown(self.pg_data, "postgres")
        self.pg_port = free_port(HOST_IP)
        as_postgres = ["runuser", "-u", "postgres", "--"]
        run(*as_postgres, str(pg_bin() / "initdb"), "-D", str(self.pg_data), "-A", "trust", "-U",
            "postgres", "--no-sync")  # fmt: skip
        (self.pg_data / "pg_hba.conf").write_text(
            f"local all all trust\nhost all all {SUBNET}.0/24 trust\n"
        )
        settings = [
            f"listen_addresses = '{HOST_IP}'",
            f"port = {self.pg_port}",
            f"unix_socket_directories = '{self.tmp}'",
            "max_connections = 200",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
        ]
        with (self.pg_data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")
        # The log stays in the temporary folder (the postgres user may not reach the
        # project's); teardown copies it beside the other logs.
        log = self.tmp / "postgres.log"
        run(*as_postgres, str(pg_bin() / "pg_ctl"), "-D", str(self.pg_data), "-l", str(log),
            "-w", "start")  # fmt: skip
        run(*as_postgres, str(pg_bin() / "createdb"), "-h", str(self.tmp), "-p", str(self.pg_port),
            "cryptocops_drill")  # fmt: skip
        return f"postgres://postgres@{HOST_IP}:{self.pg_port}/cryptocops_drill"

    def postgres_down(self) -> None:
        if self.pg_data is not None and (self.pg_data / "postmaster.pid").exists():
            run("runuser", "-u", "postgres", "--", str(pg_bin() / "pg_ctl"), "-D",
                str(self.pg_data), "-m", "immediate", "stop", check=False)  # fmt: skip
        for name in ("postgres.log", "nginx-error.log", "nginx-access.log"):
            if (self.tmp / name).exists():
                shutil.copy(self.tmp / name, self.log_dir / name)

    def redis_up(self) -> str:
        self.redis_port = free_port(HOST_IP)
        # Bound to the bridge, not loopback: protected mode wants a password then.
        password = secrets.token_hex(16)
        command = ["redis-server", "--bind", HOST_IP, "--port", str(self.redis_port)]
        command += ["--requirepass", password]
        command += ["--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"]
        process = self.start("redis", command, env=dict(os.environ))
        wait_for_port(HOST_IP, self.redis_port, 10, process)
        return f"redis://:{password}@{HOST_IP}:{self.redis_port}/0"

    def s3_up(self, moto_server: Path) -> str:
        """An S3-compatible server (moto, in memory) bound to the bridge: the object storage
        every node shares, as production's bucket is."""
        self.s3_port = free_port(HOST_IP)
        command = [str(moto_server), "-H", HOST_IP, "-p", str(self.s3_port)]
        process = self.start("s3", command, env=dict(os.environ))
        wait_for_port(HOST_IP, self.s3_port, 20, process)
        return f"http://{HOST_IP}:{self.s3_port}"

    def reserve_nginx_port(self) -> int:
        self.nginx_port = free_port()
        return self.nginx_port

    def nginx_up(self, config_template: str) -> int:
        """nginx on the host, in front of both web nodes; the site on 127.0.0.1:<port>."""
        conf = self.tmp / "nginx.conf"
        conf.write_text(
            config_template.replace("@PORT@", str(self.nginx_port))
            .replace("@TMP@", str(self.tmp))
            .replace("@WEB1@", node_ip("web1"))
            .replace("@WEB2@", node_ip("web2"))
        )
        command = ["nginx", "-c", str(conf), "-p", str(self.tmp), "-g", "daemon off;"]
        process = self.start("nginx", command, env=dict(os.environ))
        wait_for_port("127.0.0.1", self.nginx_port, 10, process)
        return self.nginx_port

    def teardown(self) -> None:
        for node in NODES:
            self.kill_node(node)
        for name in list(self.processes):
            self.stop(name, seconds=10)
        self.postgres_down()
        self.network_down()

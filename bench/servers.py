"""gunicorn as ``make serve`` runs it, started and stopped from Python on a free loopback port.

For ``bench.traffic`` and ``tests/test_two_servers.py``: a production start (``KEFU_ENV=production``
and a random ``SECRET_KEY`` shared by every server of a run, as the README asks), each server its own
process group so that stopping it takes its workers along.
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
from pathlib import Path
from types import TracebackType

from bench.client import Browser

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_secret_key() -> str:
    return secrets.token_hex(32)


def _no_control_socket() -> list[str]:
    """gunicorn 25+ opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl): a second
    server on the machine fails to open it and logs an error. These servers need none."""
    import gunicorn.config

    known = {setting.name for setting in gunicorn.config.KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in known else []


class Server:
    """``gunicorn --workers N --bind 127.0.0.1:PORT 'admin_app:create_app()'`` against one database."""

    def __init__(self, database_url: str, *, secret_key: str, workers: int = 2, port: int | None = None,
                 log: Path, instance: Path | None = None) -> None:
        self.database_url = database_url
        self.secret_key = secret_key
        self.workers = workers
        self.port = port or free_port()
        self.log = log
        self.instance = instance
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": self.secret_key,
               "KEFU_ENV": "production"}
        if self.instance is not None:  # shared by the servers of a run, as a shared folder would be
            env["KEFU_INSTANCE"] = str(self.instance)
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                   "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", *_no_control_socket(),
                   "admin_app:create_app()"]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> None:
        """Until the login page answers; raises with the end of the log if it never does."""
        deadline = time.monotonic() + timeout
        probe = Browser(self.base, timeout=5)
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"gunicorn on port {self.port} exited:\n{self.log_tail()}")
            try:
                if probe.get("/login").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"gunicorn on port {self.port} did not answer in {timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM (gunicorn stops its workers gracefully), then SIGKILL to the process group."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            pass
        # Still not reaped, so the group id is still this server's (start() made it a session leader).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> Server:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

"""A gunicorn server of the app (`gunicorn config.wsgi`, as deployed) on a free port, its start-up and its workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nobody listens on now: the system picks it (others run servers on this machine too)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`python -m gunicorn config.wsgi` with the environment of this process (its DATABASE_URL and settings)."""

    def __init__(self, log_path: Path, workers: int = 4, worker_class: str = "sync", threads: int = 1):
        self.log_path = log_path
        self.access_log = log_path.with_name("access.log")
        self.options = [
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            # Method, path, status and the worker's own time for the request (microseconds), to tell the
            # server's time from the client's.
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
            # Its control socket's default path is one per machine user, shared with every other gunicorn here.
            "--no-control-socket",
        ]
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = 60) -> float:
        """Start it and wait for its first 200 (the login page): seconds from the spawn to that answer."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        log = open(self.log_path, "ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", *self.options],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/accounts/login/", timeout=5) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop: the master ends its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def log_offset(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def server_ms(self, offset: int, method: str, path_part: str) -> list[float]:
        """The worker's time (ms) of each request logged after `offset` whose path contains `path_part`."""
        time.sleep(0.1)  # a worker logs a request just after answering it
        with open(self.access_log, "rb") as log:
            log.seek(offset)
            lines = log.read().decode().splitlines()
        times = []
        for line in lines:
            logged_method, path, _, micros = line.split()
            if logged_method == method and path_part in path:
                times.append(int(micros) / 1000)
        return times

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def rss_mib(pid: int) -> float:
    """Resident memory of a process now (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"No VmRSS for process {pid}")


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)"

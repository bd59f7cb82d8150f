"""`make stack`: the app as production runs it, on this machine, in the foreground until Ctrl+C.

A PostgreSQL of its own (initdb into .stack/ the first time, started on a port of its own), the database,
migrations, collected static files (served by WhiteNoise), the seeds and the demo accounts, then two gunicorn
processes (config.wsgi) on two ports: two masters with their own workers, sharing nothing but the database,
as two machines behind a load balancer would, and the background worker (`manage.py db_worker`: documents made
from web pages and files). DEBUG is off.

It serves plain HTTP on 127.0.0.1, so it sets SECURE_COOKIES=false and SECURE_SSL_REDIRECT=false (a browser
sends no Secure cookie over http, and there is no HTTPS to redirect to). Production sets neither; `manage.py
check --deploy` flags both. The demo accounts have a known password: the demo command refuses DEBUG off, so
that one command runs with DEBUG on.

Only the standard library and the project's virtualenv; run it with that virtualenv's Python.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's: python, gunicorn
DATABASE = "annotator"


def say(message: str) -> None:
    print(f"stack: {message}", flush=True)


def fail(message: str) -> None:
    raise SystemExit(f"stack: {message}")


def postgres_bindir() -> Path:
    """The newest PostgreSQL's server programs: Debian keeps them in /usr/lib/postgresql/<major>/bin."""
    debian = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    if debian:
        return max(debian, key=lambda bindir: int(bindir.parent.name) if bindir.parent.name.isdigit() else 0)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    fail(
        "PostgreSQL's server programs (initdb, pg_ctl) are missing: install them (Debian: apt-get install postgresql)."
    )


def free_port(preferred: int) -> int:
    """preferred when it is free (0: any), else a free port the kernel picks."""
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]


def control_socket(path: Path) -> list[str]:
    """gunicorn 25.1 and later open a control socket (for gunicornc), by default at one path per user: each server
    gets its own, or the second would take the first's."""
    import gunicorn  # in this virtualenv

    return ["--control-socket", str(path)] if gunicorn.version_info >= (25, 1) else []


def secret_file(path: Path) -> str:
    """A random secret kept in a file of the stack's folder (so sessions and the database survive a restart)."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Stack:
    def __init__(self, args):
        self.args = args
        self.dir = Path(args.dir).resolve()
        self.pg_dir = self.dir / "pg"
        self.data = self.pg_dir / "data"
        self.bindir = postgres_bindir()
        # initdb and postgres refuse to run as root: as root, they run as an unprivileged user.
        self.owner = args.pg_user if os.geteuid() == 0 else None
        self.pg_started = False
        self.servers: list[tuple[subprocess.Popen, str, Path]] = []
        self.worker: subprocess.Popen | None = None

    # PostgreSQL -------------------------------------------------------------------------------------

    def pg(self, program: str, *arguments: str, **kwargs) -> subprocess.CompletedProcess:
        command = [str(self.bindir / program), *arguments]
        if self.owner:
            command = ["runuser", "-u", self.owner, "--", *command]
        return subprocess.run(command, start_new_session=True, **kwargs)

    def start_postgres(self) -> None:
        self.pg_dir.mkdir(parents=True, exist_ok=True)
        self.pg_dir.chmod(0o700)
        password = secret_file(self.dir / "db-password")
        if self.owner:
            shutil.chown(self.pg_dir, self.owner, self.owner)
            if subprocess.run(["runuser", "-u", self.owner, "--", "test", "-w", str(self.pg_dir)]).returncode:
                fail(
                    f"the user {self.owner} cannot reach {self.pg_dir}: let it into the parent folders (chmod o+x) or use --dir."
                )
        if not (self.data / "PG_VERSION").exists():
            say(f"initdb {self.data} (PostgreSQL {self.bindir.parent.name})")
            pwfile = self.pg_dir / "initdb-password"
            pwfile.write_text(password + "\n")
            pwfile.chmod(0o600)
            if self.owner:
                shutil.chown(pwfile, self.owner, self.owner)
            try:
                result = self.pg(
                    "initdb",
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    capture_output=True,
                    text=True,
                )
            finally:
                pwfile.unlink()
            if result.returncode:
                fail(f"initdb failed:\n{result.stdout}{result.stderr}")
        self.pg_port = free_port(self.args.pg_port)
        options = f"-c listen_addresses=127.0.0.1 -p {self.pg_port} -c unix_socket_directories='{self.pg_dir}'"
        result = self.pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.pg_dir / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
            capture_output=True,
            text=True,
        )
        if result.returncode:
            log = self.pg_dir / "postgres.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            fail(
                f"PostgreSQL did not start (is a stack already running on {self.dir}?):\n{result.stdout}{result.stderr}{tail}"
            )
        self.pg_started = True
        say(f"PostgreSQL on 127.0.0.1:{self.pg_port} (data in {self.data})")
        self.database_url = f"postgres://postgres:{password}@127.0.0.1:{self.pg_port}/{DATABASE}"
        self.create_database(password)

    def create_database(self, password: str) -> None:
        import psycopg  # the project's own dependency, in this virtualenv

        with psycopg.connect(
            host="127.0.0.1", port=self.pg_port, user="postgres", password=password, dbname="postgres", autocommit=True
        ) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
                connection.execute(f"CREATE DATABASE {DATABASE}")
                say(f"created the database {DATABASE}")

    def stop_postgres(self) -> None:
        if self.pg_started:
            self.pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", capture_output=True)
            self.pg_started = False
            say("PostgreSQL stopped")

    # The app --------------------------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        dropped = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env = {key: value for key, value in os.environ.items() if key not in dropped}
        env.update(
            DEBUG="false",
            SECRET_KEY=secret_file(self.dir / "secret-key"),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            STATIC_ROOT=str(self.dir / "static"),
            # Plain HTTP on this machine only (see the module's docstring).
            SECURE_COOKIES="false",
            SECURE_SSL_REDIRECT="false",
        )
        env.update(extra)
        return env

    def manage(self, *arguments: str, **extra: str) -> None:
        result = subprocess.run(
            [str(BIN / "python"), "manage.py", *arguments],
            cwd=ROOT,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            start_new_session=True,
        )
        if result.returncode:
            fail(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")

    def prepare(self) -> None:
        say("migrate, collectstatic, seeds and demo accounts")
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        # demo sets known passwords and so refuses DEBUG off; this local stack runs that one command with DEBUG on.
        self.manage("demo", "--password", self.args.password, DEBUG="true")

    def start_servers(self) -> None:
        wanted = [int(p) for p in self.args.ports.split(",")]
        if len(wanted) != 2:
            fail("--ports takes two ports, such as 8001,8002 (0: any free port)")
        for n, preferred in enumerate(wanted, start=1):
            port = free_port(preferred)
            if preferred and port != preferred:
                say(f"port {preferred} is taken; server {n} uses {port}")
            log = self.dir / f"web-{n}.log"
            with open(log, "ab") as out:
                process = subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "config.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(self.args.workers),
                        "--access-logfile",
                        "-",
                        "--pid",
                        str(self.dir / f"web-{n}.pid"),
                        *control_socket(self.dir / f"web-{n}.ctl"),
                    ],
                    cwd=ROOT,
                    env=self.env(),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.servers.append((process, f"http://127.0.0.1:{port}/", log))
        deadline = time.monotonic() + 60
        for process, url, log in self.servers:
            while not self.answers(url + "accounts/login/"):
                if process.poll() is not None or time.monotonic() > deadline:
                    fail(f"the server for {url} did not start:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)

    def start_worker(self) -> None:
        """The background worker: runs the tasks the servers queue in the database (documents from files and URLs)."""
        log = self.dir / "worker.log"
        with open(log, "ab") as out:
            self.worker = subprocess.Popen(
                [str(BIN / "python"), "manage.py", "db_worker", "--no-reload", "--worker-id", f"stack-{os.getpid()}"],
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (self.dir / "worker.pid").write_text(str(self.worker.pid))

    def stop_worker(self) -> None:
        if self.worker is None:
            return
        if self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)  # the worker finishes the task it is on, then stops
        try:
            self.worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
        self.worker = None
        say("worker stopped")

    @staticmethod
    def answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop_servers(self) -> None:
        for process, _, _ in self.servers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # gunicorn's graceful stop
        for process, _url, _ in self.servers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.servers:
            say("servers stopped")
        self.servers = []

    def watch(self) -> None:
        """Until Ctrl+C; a server that dies ends the stack."""
        while True:
            for process, url, log in self.servers:
                if process.poll() is not None:
                    fail(f"the server for {url} stopped:\n{log.read_text(errors='replace')[-3000:]}")
            if self.worker is not None and self.worker.poll() is not None:
                fail(f"the worker stopped:\n{(self.dir / 'worker.log').read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)


def interrupted(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dir", default=str(ROOT / ".stack"), help="where the stack keeps its database and logs (default: .stack)"
    )
    parser.add_argument(
        "--ports", default="8001,8002", help="the two servers' ports; a taken one or 0 means any free port"
    )
    parser.add_argument(
        "--pg-port", type=int, default=54329, help="PostgreSQL's port; a taken one or 0 means any free port"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    parser.add_argument("--password", default="annotate-demo", help="the demo accounts' password")
    parser.add_argument(
        "--pg-user", default="postgres", help="when run as root, the user PostgreSQL runs as (default postgres)"
    )
    args = parser.parse_args()

    # Ctrl+C reaches only this process (the others run in sessions of their own), which stops them in order;
    # SIGTERM does the same. Set here, not left to Python: started from a background job, SIGINT comes ignored.
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    stack = Stack(args)
    stack.dir.mkdir(parents=True, exist_ok=True)
    try:
        stack.start_postgres()
        stack.prepare()
        stack.start_servers()
        stack.start_worker()
        one, two = (url for _, url, _ in stack.servers)
        print(
            "\n"
            f"  Server 1: {one}\n"
            f"  Server 2: {two}\n"
            f"  Two gunicorn processes, DEBUG off, plain HTTP; PostgreSQL on 127.0.0.1:{stack.pg_port}, database {DATABASE}.\n"
            f"  Log in as editor1 (also editor2, reviewer, manager, admin) with the password {args.password}.\n"
            f"  The background worker (documents from web pages and files) runs beside them.\n"
            f"  Logs: {stack.dir}/web-1.log, web-2.log, worker.log, pg/postgres.log. Ctrl+C stops everything.\n",
            flush=True,
        )
        stack.watch()
    except KeyboardInterrupt:
        say("stopping")
    finally:
        # Once stopping, a second Ctrl+C must not leave PostgreSQL or a server running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop_worker()
        stack.stop_servers()
        stack.stop_postgres()


if __name__ == "__main__":
    main()

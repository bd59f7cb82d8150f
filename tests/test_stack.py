"""make stack (scripts/stack.py): its own PostgreSQL, two gunicorn processes with DEBUG off, stopped cleanly by Ctrl+C."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from .ingest_files import Site, article
from .servers import ROOT, Visitor

pytestmark = pytest.mark.scaleout


@pytest.fixture
def stack_dir():
    # Not under pytest's tmp_path: as root the stack runs PostgreSQL as the postgres user, who must reach the folder.
    path = Path(tempfile.mkdtemp(prefix="annotator-stack-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def kill_what_it_started(stack_dir: Path) -> None:
    """A stack that would not stop: its servers (session leaders, pids in their pid files) and its PostgreSQL."""
    pidfiles = [*stack_dir.glob("web-*.pid"), stack_dir / "worker.pid", stack_dir / "pg" / "data" / "postmaster.pid"]
    for pidfile in pidfiles:
        try:
            pid = int(pidfile.read_text().split()[0])
            if pidfile.name.startswith(("web-", "worker")):
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGQUIT)  # PostgreSQL's immediate shutdown
        except (OSError, ValueError, IndexError):
            pass  # gone already, or its pid file half-written or removed: nothing left to stop


def refused(url: str) -> bool:
    try:
        Visitor().get(url, "/", timeout=5)
    except ConnectionRefusedError:
        return True
    return False


def test_the_stack_serves_the_demo_from_two_servers_and_stops_on_ctrl_c(stack_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["ANNOTATOR_FETCH_PRIVATE_ADDRESSES"] = "true"  # the test's page is served on this machine
    stack = subprocess.Popen(
        [
            sys.executable,
            "scripts/stack.py",
            "--dir",
            str(stack_dir),
            "--ports",
            "0,0",
            "--pg-port",
            "0",
            "--workers",
            "1",
            "--password",
            "stack-test-password",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(iter(stack.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 240
        while not any("Ctrl+C stops everything" in line for line in output):
            assert stack.poll() is None and time.monotonic() < deadline, "".join(output)
            time.sleep(0.2)
        one, two = re.findall(r"Server \d: (http://127\.0\.0\.1:\d+)/", "".join(output))

        editor = Visitor()
        assert editor.log_in(one, "editor1", "stack-test-password") == 302
        status, _, home = editor.get(two, "/")
        assert (
            status == 200 and "Signed in as <strong>editor1</strong>" in home and "Great Purge historiography" in home
        )
        # DEBUG off: no debug page for a wrong address, and WhiteNoise serves the hashed, collected static files.
        status, _, page = editor.get(one, "/no-such-page/")
        assert status == 404 and "URLconf" not in page
        script = re.search(r'src="(/static/annotator/annotator\.[0-9a-f]{12}\.js)"', home).group(1)
        status, headers, _ = editor.get(two, script)
        assert status == 200 and "immutable" in headers["Cache-Control"]

        # The background worker runs beside them: a manager gives a web page's address on one server, the worker
        # fetches it and makes the document, the other server shows it.
        worker = int((stack_dir / "worker.pid").read_text())
        assert os.path.exists(f"/proc/{worker}"), "".join(output)
        manager = Visitor()
        assert manager.log_in(one, "manager", "stack-test-password") == 302
        project = re.search(r'href="/projects/(\d+)/"', manager.get(one, "/")[2]).group(1)
        with Site() as site:
            address = site.html("/story", article(title="Fetched by the stack's worker"))
            status, headers, _ = manager.post(one, f"/projects/{project}/documents/new/", {"url": address, "title": ""})
            assert status == 302 and "/extractions/" in headers["Location"], "".join(output)
            deadline = time.monotonic() + 60
            while "Added “Fetched by the stack" not in manager.get(two, headers["Location"])[2]:
                assert time.monotonic() < deadline, (stack_dir / "worker.log").read_text(errors="replace")
                time.sleep(0.5)
        assert "Fetched by the stack" in manager.get(two, f"/projects/{project}/")[2]

        stack.send_signal(signal.SIGINT)  # what Ctrl+C sends it
        assert stack.wait(timeout=90) == 0, "".join(output)
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGKILL)
            kill_what_it_started(stack_dir)
        reader.join(timeout=5)
        stack.stdout.close()
    text = "".join(output)
    assert "servers stopped" in text and "worker stopped" in text and "PostgreSQL stopped" in text
    assert not os.path.exists(f"/proc/{worker}")
    assert refused(one) and refused(two)
    assert not (stack_dir / "pg" / "data" / "postmaster.pid").exists()

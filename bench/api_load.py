"""64 API clients at once against two app servers on one database (issue 23), bounded in time.

    .venv/bin/python -m bench.api_load [--clients 64] [--seconds 30] [--workers 2]

As `make stack` runs it: two gunicorn processes (two masters with their own workers, sharing nothing but the
database), here started on DATABASE_URL's database (PostgreSQL; flushed first) or, without it, on a SQLite file in a
temporary folder. Each client is an editor with a read-and-write token of their own, on a server of the two in turn,
and works on the same four shared documents for `--seconds`: it marks a word (POST), reads a page of the document's
marks (GET), changes the note of one of its marks with the version it read (PATCH with If-Match), and one request in
ten makes 20 marks in one bulk POST. Every answer is counted; the answers a client must expect are documented
refusals (409: someone changed the mark meanwhile; 422 "already marked": the client picked a word it had marked;
429: the throttle), anything else is an error. Afterwards the database is counted: every mark the API said it made is
there once, and there is no other.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import re
import shutil
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .figures import Figure, in_ms, table

DOCUMENTS = 4
TEXT = 20_000  # code points of each shared document
BULK_EVERY = 10  # one request in this many is a bulk POST
BULK_SIZE = 20
EXPECTED = {409, 422, 429}  # documented refusals a client handles


@dataclass
class Client:
    """One editor's connection to one server: its token, the marks the API said it made (id -> version)."""

    base: str
    token: str
    documents: list[tuple[int, str]]
    rng: random.Random
    made: dict[int, int] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        parts = urlsplit(self.base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def call(self, kind: str, method: str, path: str, body=None, headers=None) -> tuple[int, object]:
        sent = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=data, headers=sent)
            answer = self.connection.getresponse()
            raw = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.statuses[f"{kind} {type(exc).__name__}"] += 1
            self.errors.append(f"{kind}: {exc!r}")
            return 0, None
        self.times[kind].append(time.perf_counter() - started)
        self.statuses[f"{kind} {answer.status}"] += 1
        if answer.status >= 400 and answer.status not in EXPECTED:
            self.errors.append(f"{kind} {answer.status}: {raw[:200]!r}")
        try:
            return answer.status, json.loads(raw) if raw else None
        except ValueError:
            return answer.status, None

    def _word(self) -> tuple[int, int, int, str]:
        document_id, text = self.rng.choice(self.documents)
        at = self.rng.randrange(0, len(text) - 400)
        start, end = self.rng.choice([m.span() for m in re.finditer(r"\w{4,}", text[at : at + 400])])
        return document_id, at + start, at + end, text[at + start : at + end]

    def step(self, number: int) -> None:
        if number % BULK_EVERY == BULK_EVERY - 1:
            document_id, _, _, _ = self._word()
            text = dict(self.documents)[document_id]
            places = {m.span() for m in re.finditer(r"\w{5,}", text)}
            chosen = self.rng.sample(sorted(places), BULK_SIZE)
            marks = [{"start": s, "end": e, "exact": text[s:e], "label": "evidence"} for s, e in chosen]
            status, answer = self.call(
                "bulk POST (20 marks)", "POST", f"/api/v1/documents/{document_id}/marks/bulk/", {"marks": marks}
            )
            if status == 201:
                for made in answer["ids"]:
                    self.made[made] = 1
            return
        choice = number % 3
        if choice == 0 or not self.made:
            document_id, start, end, exact = self._word()
            body = {"start": start, "end": end, "exact": exact, "label": "claim"}
            status, answer = self.call("mark POST", "POST", f"/api/v1/documents/{document_id}/marks/", body)
            if status == 201:
                self.made[answer["id"]] = answer["version"]
        elif choice == 1:
            document_id, _ = self.rng.choice(self.documents)
            self.call("marks GET (a page)", "GET", f"/api/v1/documents/{document_id}/marks/?page_size=50")
        else:
            mark_id = self.rng.choice(sorted(self.made))
            version = self.made[mark_id]
            status, answer = self.call(
                "mark PATCH (If-Match)",
                "PATCH",
                f"/api/v1/marks/{mark_id}/",
                {"note": f"checked {number}"},
                {"If-Match": f'"{version}"'},
            )
            if status == 200:
                self.made[mark_id] = answer["version"]


def run(clients: int, seconds: float, workers: int, folder: str) -> tuple[list[Figure], dict]:
    from django.contrib.auth import get_user_model

    from annotator import services
    from annotator.models import Annotation, Role
    from annotator.services import tokens

    from . import scenario
    from .server import Gunicorn

    users = get_user_model()
    tag = f"load{int(time.time())}"  # beside what the database holds already (make bench's scenarios)
    manager = users.objects.create_user(f"{tag}-manager", password=scenario.PASSWORD)
    project = services.create_project(name=tag, owner=manager)
    text = scenario.scale_text(TEXT)
    documents = [
        (services.add_document(user=manager, project=project, title=f"Shared {n}", text=text).pk, text)
        for n in range(DOCUMENTS)
    ]
    editors = []
    for n in range(clients):
        editor = users.objects.create_user(f"{tag}-editor{n}", password=scenario.PASSWORD)
        services.add_member(project=project, member=editor, role=Role.ANNOTATOR)
        editors.append((editor, tokens.create_token(user=editor, name="load", scope="write").secret))
    servers = [Gunicorn(folder_path(folder, f"web-{n}.log"), workers=workers) for n in range(2)]
    try:
        for server in servers:
            server.start()
        crowd = [Client(servers[n % 2].url, token, documents, random.Random(n)) for n, (_, token) in enumerate(editors)]
        deadline = time.monotonic() + seconds

        def work(client: Client) -> None:
            number = 0
            while time.monotonic() < deadline:
                client.step(number)
                number += 1

        threads = [threading.Thread(target=work, args=(client,)) for client in crowd]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - began
    finally:
        for server in servers:
            server.stop()
    times: dict[str, list[float]] = defaultdict(list)
    statuses: Counter = Counter()
    errors: list[str] = []
    claimed: Counter = Counter()
    for client in crowd:
        for kind, samples in client.times.items():
            times[kind].extend(samples)
        statuses.update(client.statuses)
        errors.extend(client.errors)
        claimed.update(client.made.keys())  # each id once per client that the API told it made it
    there = set(Annotation.objects.filter(span__document__project=project).values_list("pk", flat=True))
    doubled = [pk for pk, count in claimed.items() if count > 1]
    lost = sorted(set(claimed) - there)
    unclaimed = sorted(there - set(claimed))
    figures = [
        Figure(kind, in_ms(samples), "ms", None, note=f"{len(samples):,} requests")
        for kind, samples in sorted(times.items())
    ]
    summary = {
        "clients": clients,
        "seconds": round(took, 1),
        "requests": sum(len(s) for s in times.values()),
        "statuses": dict(sorted(statuses.items())),
        "errors": len(errors),
        "first errors": errors[:5],
        "marks the API made": len(claimed),
        "marks in the database": len(there),
        "lost": len(lost),
        "doubled": len(doubled),
        "made by nobody's request": len(unclaimed),
    }
    return figures, summary


def figures(folder: str, clients: int, seconds: float, workers: int = 2) -> list[Figure]:
    """The figures of one run (make bench): each kind of request's times, and a last line that must be 0: answers
    that were neither a success nor a documented refusal, marks lost and marks doubled."""
    found, summary = run(clients, seconds, workers, folder)
    wrong = summary["errors"] + summary["lost"] + summary["doubled"]
    note = (
        f"{summary['requests']:,} requests in {summary['seconds']} s; {summary['errors']} errors, "
        f"{summary['lost']} lost, {summary['doubled']} doubled of {summary['marks the API made']:,} marks made"
    )
    name = f"API load: {clients} clients, 2 servers: wrong answers + lost + doubled marks"
    return [
        *(dataclasses.replace(f, name=f"API load: {f.name}") for f in found),
        Figure(name, [wrong], "", 1, judged="max", note=note),
    ]


def folder_path(folder: str, name: str):
    from pathlib import Path

    return Path(folder) / name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each of the two servers")
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="annotator-api-load-")
    from .export_bench import production_env

    # The clients are many and fast: the throttle is set past what they can ask, so that what is measured is the
    # servers (the throttle itself is tested in tests/test_api.py).
    os.environ.update(production_env(folder), ANNOTATOR_API_RATE="100000/minute", STATIC_ROOT=f"{folder}/static")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from .run import database_description

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: the pages' files as deployed
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    try:
        figures, summary = run(options.clients, options.seconds, options.workers, folder)
        print(database_description())
        print(table(figures))
        for key, value in summary.items():
            print(f"{key}: {value}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

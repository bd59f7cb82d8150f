"""Figures through the real server: the document page, adding a mark, the idle poll, the web exports, and eight
editors marking at once. Each request is timed at the client, from sending it to the last byte of the answer."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from annotator import services
from annotator.models import Annotation, Document
from annotator.services import sources

from .client import Session, pass_of, since_of
from .figures import Figure, in_ms


def revision_of(document: Document) -> int:
    return Document.objects.values_list("revision", flat=True).get(pk=document.pk)


def warm_up(session: Session, document: Document, workers: int) -> None:
    """Page loads left out of the figures, about two per worker: a worker's first request opens its database
    connection and reads and cuts the text (about 10 ms, once per worker and text); the figures are of a server
    in use. Any worker that was missed shows in the p95, not the median."""
    for _ in range(2 * workers):
        session.get(f"/documents/{document.pk}/")


def document_page(session: Session, document: Document, runs: int, name: str) -> Figure:
    samples, size = [], 0
    for _ in range(runs):
        answer = session.get(f"/documents/{document.pk}/")
        if answer.status != 200:
            raise RuntimeError(f"The document page answered {answer.status}")
        samples.append(answer.seconds)
        size = len(answer.body)
    return Figure(name, in_ms(samples), "ms", 100, note=f"{size / 1e6:.1f} MB of HTML")


def unused_regions(document: Document, count: int, length: int, rng: random.Random) -> list[tuple[int, int]]:
    """`count` regions of `length` code points where no mark of the current text starts, ends or lies, so that a
    new mark there is new to everyone and shows as a piece of its own."""
    covered = sorted(
        Annotation.objects.filter(span__document=document, span__version=document.version)
        .values_list("span__start", "span__end")
        .distinct()
    )
    gaps, reach = [], 0
    for start, end in covered + [(len(document.text), len(document.text))]:
        if start - reach >= length + 2:
            gaps.append((reach + 1, start - 1))
        reach = max(reach, end)
    regions = []
    for low, high in rng.sample(gaps, min(count, len(gaps))):
        start = rng.randrange(low, high - length + 1)
        regions.append((start, start + length))
    if len(regions) < count:
        raise RuntimeError(f"Only {len(regions)} unmarked places of {length} code points are left in the document")
    return regions


def add_mark(session: Session, document: Document, label_id: int, runs: int, name: str, rng: random.Random) -> Figure:
    """The page's htmx POST of a new mark, on text nobody marked, with the page's current revision."""
    samples = []
    for start, end in unused_regions(document, runs, 4, rng):
        answer = session.htmx_post(
            f"/documents/{document.pk}/annotations/",
            {
                "start": start,
                "end": end,
                "exact": document.text[start:end],
                "label": label_id,
                "since": revision_of(document),
            },
        )
        if answer.status != 200:
            raise RuntimeError(f"Adding a mark answered {answer.status}: {answer.body[:300]!r}")
        samples.append(answer.seconds)
    return Figure(name, in_ms(samples), "ms", 10, note=f"{len(answer.body) / 1e6:.1f} MB answer")


def idle_poll(session: Session, document: Document, runs: int) -> Figure:
    since = revision_of(document)
    pass_ = pass_of(session.get(f"/documents/{document.pk}/").body)  # as the page hands it to its poller
    samples = []
    for _ in range(runs):
        answer = session.htmx_get(f"/documents/{document.pk}/changes/?since={since}&pass={pass_}")
        if answer.status != 204:
            raise RuntimeError(f"The idle poll answered {answer.status}, not 204")
        samples.append(answer.seconds)
    return Figure("idle revision poll (answers 204)", in_ms(samples), "ms", 3)


def web_export(session: Session, project_id: int, file_format: str, runs: int, marks: int, target: float) -> Figure:
    samples, size = [], 0
    for _ in range(runs):
        answer = session.get(f"/projects/{project_id}/export/?format={file_format}")
        if answer.status != 200:
            raise RuntimeError(f"The export answered {answer.status}")
        samples.append(answer.seconds)
        size = len(answer.body)
    name = f"{'CSV' if file_format == 'csv' else 'JSON-LD'} export of {marks:,} marks (web)"
    return Figure(name, samples, "s", target, note=f"{size / 1e6:.0f} MB")


def dashboard(session: Session, project_id: int, runs: int, marks: int) -> Figure:
    """The progress dashboard of a project (issue 20): its counts read in five queries whatever the marks."""
    samples, size = [], 0
    for _ in range(runs):
        answer = session.get(f"/projects/{project_id}/progress/")
        if answer.status != 200:
            raise RuntimeError(f"The progress dashboard answered {answer.status}")
        samples.append(answer.seconds)
        size = len(answer.body)
    return Figure(f"progress dashboard of {marks:,} marks", in_ms(samples), "ms", 200, note=f"{size / 1e3:.0f} kB")


# Issue 18: the hostile quotation through the server --------------------------------------------------


def hostile_quotation(session: Session, scenario, runs: int, megabytes: float = 1.0) -> list[Figure]:
    """The issue's hostile case as an editor meets it: citing, for a Quotation mark of "= " * 1000 + "end", a source
    whose text is `megabytes` of "= " (htmx POST; a new locator each time), then the mark's panel and the document
    page with the mark open (which read the stored check). Once each took 30 s and answered 500."""
    from .functions import HOSTILE_QUOTE, hostile_source

    document = services.add_document(
        user=scenario.manager,
        project=scenario.project,
        title="Issue 18: a hostile quotation",
        text=f"Before. {HOSTILE_QUOTE} After.",
    )
    editor = scenario.editors[0]
    start = document.text.index(HOSTILE_QUOTE)
    mark = services.annotate(
        user=editor,
        document=document,
        start=start,
        end=start + len(HOSTILE_QUOTE),
        exact=HOSTILE_QUOTE,
        label=scenario.project.labels.get(key="quotation"),
    )
    source = sources.create_source(
        user=editor,
        project=scenario.project,
        type="book",
        title="A hostile source",
        full_text=hostile_source(megabytes),
    )
    cite, panel, page = [], [], []
    for run in range(runs):
        answer = session.htmx_post(
            f"/annotations/{mark.pk}/citations/",
            {
                "source": source.pk,
                "locator": f"p. {run + 1}",
                "since": revision_of(document),
            },
        )
        if answer.status != 200 or b"Too repetitive to check exactly" not in answer.body:
            raise RuntimeError(f"Citing answered {answer.status}: {answer.body[:300]!r}")
        cite.append(answer.seconds)
        for samples, answer in (
            (panel, session.htmx_get(f"/annotations/{mark.pk}/")),
            (page, session.get(f"/annotations/{mark.pk}/")),
        ):
            if answer.status != 200 or b"Too repetitive to check exactly" not in answer.body:
                raise RuntimeError(f"The mark answered {answer.status}")
            samples.append(answer.seconds)
    size = f"{megabytes:g} MB source"
    return [
        Figure(f"citing a source for the hostile quotation ({size})", in_ms(cite), "ms", 1000),
        Figure(f"its mark's panel, {runs} citations ({size})", in_ms(panel), "ms", 100),
        Figure(f"the document page with it open ({size})", in_ms(page), "ms", 100),
    ]


# Eight editors at once ------------------------------------------------------------------------------


@dataclass
class Editor:
    """One editor's page: marks the given regions one after another, and polls every `poll_every` seconds."""

    session: Session
    document: Document
    label_ids: list
    regions: list
    think: float
    poll_every: float
    posts: list = field(default_factory=list)  # seconds
    polls: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    saved: list = field(default_factory=list)  # regions the server said it saved
    sent: int = 0
    since: int = 0
    pass_: str = ""  # the page's poll pass, renewed by the answers that bring one

    def mark(self, start_line: threading.Barrier, done: threading.Event, deadline: float) -> None:
        start_line.wait()
        for i, (start, end) in enumerate(self.regions):
            if time.perf_counter() > deadline:
                break
            self.sent += 1
            try:
                answer = self.session.htmx_post(
                    f"/documents/{self.document.pk}/annotations/",
                    {
                        "start": start,
                        "end": end,
                        "exact": self.document.text[start:end],
                        "label": self.label_ids[i % len(self.label_ids)],
                        "since": self.since,
                    },
                )
            except OSError as exc:
                self.errors.append(f"POST: {exc}")
                continue
            self.posts.append(answer.seconds)
            if answer.status == 200:
                self.saved.append((start, end, self.label_ids[i % len(self.label_ids)]))
                self.since = since_of(answer.body) or self.since
            else:
                self.errors.append(f"POST answered {answer.status}")
            time.sleep(self.think)
        done.set()

    def poll(self, start_line: threading.Barrier, done: threading.Event) -> None:
        start_line.wait()
        while not done.wait(self.poll_every):
            try:
                answer = self.session.htmx_get(
                    f"/documents/{self.document.pk}/changes/?since={self.since}&pass={self.pass_}"
                )
            except OSError as exc:
                self.errors.append(f"poll: {exc}")
                continue
            self.polls.append(answer.seconds)
            if answer.status == 200:
                self.since = since_of(answer.body) or self.since
                self.pass_ = pass_of(answer.body) or self.pass_
            elif answer.status != 204:
                self.errors.append(f"poll answered {answer.status}")


def concurrent_editors(
    base_url: str,
    document: Document,
    users: list,
    password: str,
    label_ids: list,
    marks_each: int,
    budget: float,
    think: float = 0.2,
    poll_every: float = 2.0,
) -> list[Figure]:
    """Every user marks `marks_each` distinct regions of the document at once, each with a poller beside it, until
    done or until `budget` seconds have passed; then the database is counted: every mark the server saved is
    there once, and nothing else."""
    step = min(500, (len(document.text) - 200) // (len(users) * marks_each))
    editors = []
    for i, user in enumerate(users):
        session = Session(base_url)
        session.login(user.username, password)
        regions = []
        for j in range(marks_each):
            start = 100 + (i * marks_each + j) * step
            regions.append((start, start + min(step - 1, 10 + j % 20)))
        page = session.get(f"/documents/{document.pk}/").body
        editors.append(
            Editor(
                session,
                document,
                label_ids,
                regions,
                think,
                poll_every,
                since=revision_of(document),
                pass_=pass_of(page) or "",
            )
        )
    start_line = threading.Barrier(2 * len(editors))
    started = time.perf_counter()
    deadline = started + budget
    threads = []
    for editor in editors:
        done = threading.Event()
        threads += [
            threading.Thread(target=editor.mark, args=(start_line, done, deadline)),
            threading.Thread(target=editor.poll, args=(start_line, done)),
        ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    lost = duplicated = 0
    for user, editor in zip(users, editors):
        rows = Annotation.objects.filter(span__document=document, created_by=user)
        stored = set(rows.values_list("span__start", "span__end", "label_id"))
        lost += len(set(editor.saved) - stored)
        duplicated += rows.count() - len(set(editor.saved) & stored)
    errors = [e for editor in editors for e in editor.errors]
    posts = [s for editor in editors for s in editor.posts]
    sent = sum(editor.sent for editor in editors)
    polls = [s for editor in editors for s in editor.polls]
    total = Annotation.objects.filter(span__document=document).count()
    asked = len(users) * marks_each
    who = f"{len(users)} editors x {marks_each} marks, {think:.1f} s between marks, polling every {poll_every:.0f} s"
    return [
        Figure(
            f"concurrency: marks not sent within {budget:.0f} s",
            [asked - sent],
            "",
            0,
            note=f"{sent:,} of {asked:,} sent; {who}",
        ),
        Figure(
            "concurrency: errors",
            [len(errors)],
            "",
            0,
            note=(f"{errors[0]} (first of {len(errors)})" if errors else ""),
        ),
        Figure(
            "concurrency: marks lost or duplicated",
            [lost + duplicated],
            "",
            0,
            note=f"{total:,} marks stored, {lost} lost, {duplicated} extra; {elapsed:.0f} s in all",
        ),
        Figure("concurrency: a mark's POST", in_ms(posts), "ms", 100, judged="p95", note=f"{len(posts):,} POSTs"),
        Figure("concurrency: a poll", in_ms(polls), "ms", None, note=f"{len(polls):,} polls (204 or changes)"),
    ]

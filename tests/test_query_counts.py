"""Every page and endpoint makes a fixed number of queries, whatever the project holds.

The URL names come from the URLconf, as in test_permissions: a URL without an entry in CASES fails
test_every_url_has_its_cases. Each case (a GET of a page or fragment, or a POST with valid data, as
the app's own pages send it) is made in a small world (3 marks on the document, one source, a few
links) and in a large one (30 marks on it with citations, links, reviews and history, more
documents, sources, versions and projects), once first to warm the process up; the two counts must
be equal. A POST that changes or deletes something gets a fresh object of the same kind each time.
"""

import itertools
import json
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import URLPattern, get_resolver, reverse

from annotator import document_page, exchange, kept_texts, poll_pass, services
from annotator.models import (
    Annotation,
    Assignment,
    Citation,
    ClaimVerdict,
    DismissedSuggestion,
    Document,
    Extraction,
    ImportUpload,
    Link,
    LinkType,
    Original,
    Rating,
    Role,
    Source,
    Span,
    Status,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from annotator.services import import_uploads
from annotator.services import links as link_services
from annotator.services import sources as source_services
from annotator.services import verdicts as verdict_services
from annotator.services import versions as version_services
from annotator.services import webhooks as webhook_services

from .factories import MembershipFactory, ProjectFactory, UserFactory
from .ingest_files import book, make_pdf

LINE = "{i}. Did Stalin want “mass terror”? 😀 The archives say more than one thing on point {i}.\n"
LINES = 80  # marks go on lines 0 to 29; fresh marks for the POSTs take lines 30 and after
QUOTED = "Did Stalin want"  # every mark is on these words of its line


def _text(lines=LINES) -> str:
    return "".join(LINE.format(i=i) for i in range(lines))


def _at(text: str, line: int) -> tuple[int, int]:
    start = text.index(QUOTED, text.index(f"{line}. Did"))
    return start, start + len(QUOTED)


@dataclass
class World:
    """One project and what its pages show, by id; and fresh objects made on demand for the POSTs."""

    project: int
    users: dict
    document: int
    versioned: int
    quote: int
    claim: int
    evidence: int
    source: int
    citation: int
    link: int
    extraction: int
    webhook: int
    lines: itertools.count = field(default_factory=lambda: itertools.count(30))
    names: itertools.count = field(default_factory=lambda: itertools.count(1))

    def user(self, role):
        return self.users[role]

    def doc(self, pk=None) -> Document:
        return Document.objects.get(pk=pk or self.document)

    def label(self, key):
        return self.doc().project.labels.get(key=key)

    def fresh_mark(self, role="ann", key="evidence", *, cited=False, linked=False) -> Annotation:
        document = self.doc()
        start, end = _at(document.text, next(self.lines))
        mark = services.annotate(
            user=self.users[role],
            document=document,
            start=start,
            end=end,
            exact=document.text[start:end],
            label=self.label(key),
        )
        if cited:
            source_services.cite_source(
                user=self.users[role], annotation=mark, source=Source.objects.get(pk=self.source), locator="p. 1"
            )
        if linked:
            link_services.create_link(
                user=self.users[role],
                from_annotation=mark,
                type=self.link_type("supports"),
                to_annotation=Annotation.objects.get(pk=self.claim),
            )
        return Annotation.objects.get(pk=mark.pk)

    def fresh_link(self, role="ann") -> Link:
        mark = self.fresh_mark(role, "evidence")
        return link_services.create_link(
            user=self.users[role],
            from_annotation=mark,
            type=self.link_type("supports"),
            to_annotation=Annotation.objects.get(pk=self.claim),
            note="see p. 3",
        )

    def fresh_orphan(self) -> Annotation:
        """A mark an earlier version's text left without a place, as add_version leaves one."""
        document = self.doc(self.versioned)
        old = document.versions.get(number=document.version - 1).text
        start, end = _at(old, 3)
        span, _ = Span.objects.get_or_create(
            document=document, version=document.version - 1, start=start, end=end, defaults={"exact": old[start:end]}
        )
        return Annotation.objects.create(
            span=span,
            label=self.label("claim"),
            created_by=self.users["ann"],
            placement="orphaned",
            note=f"orphan {next(self.names)}",
        )

    def link_type(self, key) -> LinkType:
        return LinkType.objects.get(project_id=self.project, key=key)

    def name(self, stem) -> str:
        return f"{stem} {next(self.names)}"


def build_world(tag: str, size: int) -> World:
    """A project whose document has `size` marks; the larger, the more of everything else too."""
    project = ProjectFactory(name=f"Project {tag}")
    users = {}
    for role, kind in [
        ("ann", Role.ANNOTATOR),
        ("ann2", Role.ANNOTATOR),
        ("rev", Role.REVIEWER),
        ("boss", Role.MANAGER),
    ]:
        users[role] = UserFactory(username=f"{tag}-{role}")
        MembershipFactory(user=users[role], project=project, role=kind)
    labels = {label.key: label for label in project.labels.all()}
    types = {t.key: t for t in project.link_types.all()}
    extra = size // 10  # more documents, sources and projects in the large world
    # A webhook for every event, from the start: each write below leaves its delivery in the log (more in the large
    # world), and the POSTs of the cases emit theirs. (A public address literal: checked without DNS, never sent.)
    hook = webhook_services.add_webhook(
        user=users["boss"], project=project, url="https://93.184.216.34/hook", events=Webhook.Event.values
    )

    documents = [
        services.add_document(user=users["boss"], project=project, title=f"{tag} document {d}", text=_text())
        for d in range(1 + extra)
    ]
    document = documents[0]
    sources = [
        source_services.create_source(
            user=users["ann"],
            project=project,
            title=f"{tag} source {s}",
            type="book",
            issued="1985",
            authors=[{"family": "Getty", "given": "J. Arch"}],
            doi=f"10.1000/{tag}.{s}" if s % 2 else "",
            full_text="Comrades! Did Stalin want mass terror? " * 3 + _text(5),
        )
        for s in range(2 + 2 * extra)
    ]

    def mark(doc, line, role, key, note=""):
        start, end = _at(doc.text, line)
        return services.annotate(
            user=users[role],
            document=doc,
            start=start,
            end=end,
            exact=doc.text[start:end],
            label=labels[key],
            note=note,
        )

    quote = mark(document, 0, "ann", "quotation", "the quotation")
    claim = mark(document, 1, "ann", "claim")
    evidence = mark(document, 2, "ann2", "evidence")
    citation = source_services.cite_source(user=users["ann"], annotation=quote, source=sources[0], locator="p. 57")
    link = link_services.create_link(
        user=users["ann"], from_annotation=claim, type=types["quotes"], to_annotation=quote
    )
    link_services.create_link(user=users["ann2"], from_annotation=evidence, type=types["supports"], to_annotation=claim)
    link_services.create_link(
        user=users["ann"], from_annotation=quote, type=types["attributed-to"], speaker="J. V. Stalin"
    )
    services.review_annotation(user=users["rev"], annotation=claim, status=Status.ACCEPTED, note="fine")

    keys, authors = ["claim", "evidence", "quotation"], ["ann", "ann2", "boss"]
    made = []
    for line in range(3, size):
        made.append(
            mark(document, line, authors[line % 3], keys[line % 3], note=f"note {line}" if line % 4 == 0 else "")
        )
    for i, m in enumerate(made):
        if i % 2 == 0:
            source_services.cite_source(
                user=m.created_by, annotation=m, source=sources[i % len(sources)], locator=f"p. {i}"
            )
        if m.label.key == "evidence":
            link_services.create_link(
                user=m.created_by,
                from_annotation=m,
                type=types["supports" if i % 2 else "refutes"],
                to_annotation=claim,
            )
        if i % 5 == 0 and m.created_by != users["rev"]:
            services.review_annotation(
                user=users["rev"], annotation=m, status=Status.REJECTED if i % 2 else Status.ACCEPTED
            )
    for i in range(1 + extra):  # the quotation cites, and is attributed to, more sources in the large world
        source_services.cite_source(user=users["ann"], annotation=quote, source=sources[1 + i], locator=f"p. {i}")
        link_services.create_link(
            user=users["ann"], from_annotation=quote, type=types["attributed-to"], to_source=sources[1 + i]
        )
        quote = services.update_annotation(
            user=users["ann"],
            annotation=Annotation.objects.get(pk=quote.pk),
            version=Annotation.objects.get(pk=quote.pk).version,
            note=f"the quotation, take {i}",
        )
    for d in documents[1:]:
        for line in range(size // 3):
            mark(d, line, authors[line % 3], keys[line % 3])

    # A document with a second version: its marks carried, one of them orphaned (its line is gone).
    versioned = services.add_document(user=users["boss"], project=project, title=f"{tag} versioned", text=_text())
    for line in range(max(3, size // 3)):
        mark(versioned, line, authors[line % 3], keys[line % 3])
    changed = _text().replace(LINE.format(i=0), "").replace("archives", "archive")
    version_services.add_version(user=users["boss"], document=versioned, text=changed, note="edited")

    # Version 1 of the versioned document as if fetched from the web (a TEST-NET address: fetching it again fails at
    # once, as not public), and documents being made in the background, more in the large world.
    Original.objects.create(
        version=versioned.versions.get(number=1),
        data=b"<p>page</p>",
        media_type="text/html",
        sha256="0" * 64,
        size=11,
        url="http://192.0.2.1/page",
    )
    extractions = [
        Extraction.objects.create(
            project=project, requested_by=users["boss"], url=f"http://192.0.2.1/{e}", progress=e % 100
        )
        for e in range(1 + extra)
    ]

    for p in range(extra):  # the users' other projects, for the project list
        other = ProjectFactory(name=f"Project {tag} elsewhere {p}")
        for role, user in users.items():
            MembershipFactory(user=user, project=other, role=Role.MANAGER if role == "boss" else Role.ANNOTATOR)
        services.add_document(user=users["boss"], project=other, title="Other", text=_text(3))
    for m in range(extra):  # more members, for the members page and the assignments
        MembershipFactory(user=UserFactory(username=f"{tag}-member-{m}"), project=project, role=Role.ANNOTATOR)
    for line in range(40, 40 + 1 + extra):  # deleted marks, for the Deleted marks list
        gone = mark(document, line, "ann2", "claim")
        services.delete_annotation(user=users["ann2"], annotation=gone)
    # The claim appears elsewhere too (more places in the large world), and has a verdict (issue 24).
    for line in range(70, 71 + extra):
        elsewhere = mark(document, line, "ann2", "claim")
        link_services.create_link(
            user=users["ann2"], from_annotation=elsewhere, type=types["same-as"], to_annotation=claim
        )
    verdict_services.give_verdict(
        user=users["rev"], annotation=claim, rating=project.ratings.get(name="False"), summary="Stalin wanted terror"
    )
    for i, other in enumerate(m for m in made if m.label.key == "claim"):  # accepted verdicts, for the ClaimReview
        verdict = verdict_services.give_verdict(
            user=users["rev"], annotation=other, rating=project.ratings.get(name="True"), summary=f"Claim {i}"
        )
        verdict_services.review_verdict(user=users["boss"], verdict=verdict, status=Status.ACCEPTED)
    users["staff"] = UserFactory(username=f"{tag}-staff", is_staff=True)  # staff create projects
    for delivery in WebhookDelivery.objects.filter(webhook=hook):  # each tried twice, answered 500 then 200
        for number, status in [(1, 500), (2, 200)]:
            WebhookAttempt.objects.create(
                delivery=delivery, number=number, at=delivery.created_at, status_code=status, response_excerpt="ok"
            )
    for d in [document, versioned, *documents[1:]]:  # every document assigned to annotate, the first also to review
        Assignment.objects.create(document=d, user=users["ann"], assigned_by=users["boss"])
    Assignment.objects.create(document=document, user=users["rev"], task="review", assigned_by=users["boss"])
    return World(
        project=project.pk,
        users=users,
        document=document.pk,
        versioned=versioned.pk,
        quote=quote.pk,
        claim=claim.pk,
        evidence=evidence.pk,
        source=sources[0].pk,
        citation=citation.pk,
        link=link.pk,
        extraction=extractions[0].pk,
        webhook=hook.pk,
    )


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """The small and the large world, built once for the module inside a transaction that is rolled back after it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield {"small": build_world("s", 3), "large": build_world("l", 30)}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# The cases -----------------------------------------------------------------------------------------


@dataclass
class Call:
    role: str
    url: str
    method: str = "get"
    data: dict | None = None
    htmx: bool = False
    status: int = 200


def _revision(w: World) -> int:
    return Document.objects.values_list("revision", flat=True).get(pk=w.document)


def _url(name, *args):
    return reverse(name, args=args)


def _annotation_create(w):
    document = w.doc()
    start, end = _at(document.text, next(w.lines))
    return Call(
        "ann",
        _url("annotation_create", w.document),
        "post",
        {
            "start": start,
            "end": end,
            "exact": document.text[start:end],
            "label": w.label("claim").pk,
            "since": document.revision,
        },
        htmx=True,
    )


def _annotation_update(w):
    mark = w.fresh_mark(cited=True, linked=True)
    return Call(
        "ann",
        _url("annotation_update", mark.pk),
        "post",
        {
            "label": mark.label_id,
            "note": "changed",
            "version": mark.version,
            "since": _revision(w),
        },
        htmx=True,
    )


def _annotation_update_conflict(w):
    # Changed since its panel was drawn: the answer is the panel as it is now with the editor's input kept (409).
    mark = w.fresh_mark(cited=True, linked=True)
    services.update_annotation(user=w.user("ann"), annotation=mark, version=mark.version, note="meanwhile")
    return Call(
        "ann",
        _url("annotation_update", mark.pk),
        "post",
        {
            "label": mark.label_id,
            "note": "mine",
            "version": mark.version,
            "since": _revision(w),
        },
        htmx=True,
        status=409,
    )


def _changes_with_open_mark(w):
    # The poll of a page whose open mark changed since its panel was drawn: the answer brings the panel anew.
    mark = w.fresh_mark(cited=True, linked=True)
    services.update_annotation(user=w.user("ann"), annotation=mark, version=mark.version, note="meanwhile")
    return Call(
        "ann",
        _url("document_changes", w.document),
        data={"since": _revision(w) - 1, "open_mark": f"{mark.pk}.1"},
        htmx=True,
    )


def _annotation_delete(w):
    mark = w.fresh_mark(cited=True, linked=True)
    return Call(
        "ann", _url("annotation_delete", mark.pk), "post", {"version": mark.version, "since": _revision(w)}, htmx=True
    )


def _annotation_review(origin):
    def call(w):
        mark = w.fresh_mark("ann2", "claim", cited=True)
        data = {"status": "accepted", "note": "checked", "version": mark.version, "since": _revision(w)}
        if origin:
            data["origin"] = origin
        return Call("rev", _url("annotation_review", mark.pk), "post", data, htmx=True)

    return call


def _annotation_reattach(w):
    orphan = w.fresh_orphan()
    document = w.doc(w.versioned)
    start, end = _at(document.text, next(w.lines))
    return Call(
        "ann",
        _url("annotation_reattach", orphan.pk),
        "post",
        {
            "start": start,
            "end": end,
            "exact": document.text[start:end],
            "since": document.revision,
        },
        htmx=True,
    )


def _citation_create(w):
    mark = w.fresh_mark("ann", "quotation")
    return Call(
        "ann",
        _url("citation_create", mark.pk),
        "post",
        {"source": w.source, "locator": "p. 5", "note": "n", "since": _revision(w)},
        htmx=True,
    )


def _citation_create_new(w):
    mark = w.fresh_mark("ann", "quotation")
    return Call(
        "ann",
        _url("citation_create_new", mark.pk),
        "post",
        {
            "new-type": "book",
            "new-title": w.name("New book"),
            "new-authors": "Getty, J. Arch",
            "new-issued": "1985",
            "new-locator": "p. 9",
            "new-note": "",
            "since": _revision(w),
        },
        htmx=True,
    )


def _citation_delete(w):
    mark = w.fresh_mark("ann", "quotation", cited=True)
    citation = Citation.objects.filter(annotation=mark).get()
    return Call("ann", _url("citation_delete", citation.pk), "post", {"since": _revision(w)}, htmx=True)


def _suggestion_accept(w):
    suggestion = source_services.quotation_suggestions(w.doc())[0]
    return Call(
        "ann",
        _url("suggestion_accept", w.document),
        "post",
        {"start": suggestion.start, "end": suggestion.end},
        htmx=True,
    )


def _suggestion_dismiss(w):
    DismissedSuggestion.objects.filter(document=w.document).delete()  # the warm-up's, so the same one is suggested
    suggestion = source_services.quotation_suggestions(w.doc())[0]
    return Call(
        "ann",
        _url("suggestion_dismiss", w.document),
        "post",
        {"start": suggestion.start, "end": suggestion.end},
        htmx=True,
    )


def _suggestion_restore(w):
    dismissal = DismissedSuggestion.objects.create(
        document_id=w.document, digest=w.name("d").replace(" ", "-").ljust(64, "0"), exact="A passage once dismissed"
    )
    return Call("ann2", _url("suggestion_restore", w.document), "post", {"dismissal": dismissal.pk}, status=302)


def _disagreement_settle(w):
    # Two editors' marks on the same text: the reviewer keeps one, the other is rejected.
    kept = w.fresh_mark("ann", "claim")
    span = kept.span
    services.annotate(
        user=w.users["ann2"],
        document=w.doc(),
        start=span.start,
        end=span.end,
        exact=span.exact,
        label=w.label("evidence"),
    )
    return Call(
        "rev", _url("disagreement_settle", w.document), "post", {"keep": kept.pk, "note": "settled"}, status=302
    )


def _link_create(w):
    mark = w.fresh_mark("ann", "evidence")
    return Call(
        "ann",
        _url("link_create", mark.pk),
        "post",
        {
            "type": str(w.link_type("supports").pk),
            "to_annotation": w.claim,
            "note": "see p. 2",
            "since": _revision(w),
        },
        htmx=True,
    )


def _link_update(w):
    link = w.fresh_link()
    return Call(
        "ann",
        _url("link_update", link.pk),
        "post",
        {"note": "changed", "version": link.version, "since": _revision(w)},
        htmx=True,
    )


def _link_delete(w):
    link = w.fresh_link()
    return Call(
        "ann", _url("link_delete", link.pk), "post", {"version": link.version, "since": _revision(w)}, htmx=True
    )


def _link_review(origin):
    def call(w):
        link = w.fresh_link("ann2")
        data = {"status": "rejected", "note": "no", "version": link.version, "since": _revision(w)}
        if origin:
            data["origin"] = origin
        return Call("rev", _url("link_review", link.pk), "post", data, htmx=True)

    return call


def _link_type_add(w):
    name = w.name("contradicts")
    return Call(
        "boss",
        _url("link_types", w.project),
        "post",
        {"name": name, "inverse_name": f"{name} (back)", "targets": "marks"},
        status=302,
    )


def _link_type_rename(w):
    kind = w.link_type("same-as")
    return Call(
        "boss",
        _url("link_types", w.project),
        "post",
        {"action": "rename", "link_type": kind.pk, "name": w.name("same"), "inverse_name": ""},
        status=302,
    )


def _link_type_move(w):
    return Call(
        "boss",
        _url("link_types", w.project),
        "post",
        {"action": "down", "link_type": w.link_type("supports").pk},
        status=302,
    )


def _document_create(w):
    return Call(
        "boss",
        _url("document_create", w.project),
        "post",
        {"title": w.name("New document"), "text": _text(5)},
        status=302,
    )


def _document_version(w):
    document = w.doc(w.versioned)  # it has a version 2 already, in both worlds: the same path through add_version
    text = document.text.replace("archive", f"archive {next(w.names)}", 1)
    return Call("boss", _url("document_versions", w.versioned), "post", {"text": text, "note": "typo"}, status=302)


def _document_create_from_pdf(w):
    upload = SimpleUploadedFile("report.pdf", _pdf(), content_type="application/pdf")
    return Call(
        "boss", _url("document_create", w.project), "post", {"title": w.name("A report"), "file": upload}, status=302
    )


def _pdf(made=[]):  # noqa: B006 - made once for the module
    if not made:
        made.append(make_pdf(book(3, 2), labels=[(0, "r", 1), (1, "D", 1)], title="A report", author="Jane Roe"))
    return made[0]


def _document_refetch(w):
    return Call("boss", _url("document_refetch", w.versioned), "post", {}, status=302)


def _source_create(w):
    return Call(
        "ann",
        _url("source_create", w.project),
        "post",
        {"type": "book", "title": w.name("A book"), "authors": "Getty, J. Arch", "issued": "1985"},
        status=302,
    )


def _source_update(w):
    # A new text each time: the quotations citing the source are checked again (one in the small world, more in the
    # large one).
    return Call(
        "ann",
        _url("source_update", w.source),
        "post",
        {
            "type": "book",
            "title": w.name("Renamed"),
            "authors": "Getty, J. Arch",
            "issued": "1985",
            "full_text": f"The quotation, take {next(w.names)}: Did Stalin want",
        },
        status=302,
    )


def _source_import(w):
    items = [
        {"type": "book", "title": w.name("Imported"), "author": [{"family": "Conquest", "given": "Robert"}]}
        for _ in range(2)
    ]
    upload = SimpleUploadedFile("sources.json", json.dumps(items).encode(), content_type="application/json")
    return Call("ann", _url("source_import", w.project), "post", {"file": upload}, status=302)


def _project_create(w):
    return Call("staff", _url("project_create"), "post", {"name": w.name(f"New project of {w.project}")}, status=302)


def _project_rename(w):
    return Call(
        "boss",
        _url("project_settings", w.project),
        "post",
        {"action": "save", "name": w.name(f"Project {w.project}"), "description": "d"},
        status=302,
    )


def _guidelines_save(w):
    return Call("boss", _url("project_guidelines", w.project), "post", {"guidelines": w.name("# Rules")}, status=302)


def _member_add(w):
    newcomer = UserFactory(username=w.name(f"joiner-{w.project}").replace(" ", "-"))
    return Call(
        "boss",
        _url("project_members", w.project),
        "post",
        {"action": "add", "username": newcomer.username, "role": "annotator"},
        status=302,
    )


def _account_create(w):
    return Call(
        "boss",
        _url("project_members", w.project),
        "post",
        {"action": "create", "username": w.name(f"new-{w.project}").replace(" ", "-"), "role": "annotator"},
    )


def _label_add(w):
    key = w.name(f"label-{w.project}").replace(" ", "-")
    return Call(
        "boss",
        _url("label_list", w.project),
        "post",
        {"name": key, "key": key, "colour": "#aabbcc", "shortcut": ""},
        status=302,
    )


def _label_save(w):
    label = w.label("evidence")
    return Call(
        "boss",
        _url("label_update", label.pk),
        "post",
        {"action": "save", "name": w.name("Evidence"), "colour": "#90be6d", "shortcut": "2"},
        status=302,
    )


def _label_move(w):
    label = w.label("evidence")
    last = label.project.labels.order_by("-order", "-id").first() == label
    return Call("boss", _url("label_update", label.pk), "post", {"action": "up" if last else "down"}, status=302)


def _webhook_add(w):
    return Call(
        "boss",
        _url("webhook_list", w.project),
        "post",
        {"url": f"https://93.184.216.34/{next(w.names)}", "events": ["mark.created", "link.created"]},
        status=302,
    )


def _webhook_post(data, htmx=False, status=302):
    def call(w):
        return Call("boss", _url("webhook_detail", w.webhook), "post", data, htmx=htmx, status=status)

    return call


def _import_check(w):
    document = w.doc()
    start, end = _at(document.text, next(w.lines))
    header = ",".join(exchange.CSV_HEADER)
    row = dict.fromkeys(exchange.CSV_HEADER, "")
    row.update(
        project=document.project.name,
        document_id=str(document.pk),
        document_title=document.title,
        start=str(start),
        end=str(end),
        exact=document.text[start:end],
        label="claim",
        annotator=w.user("ann").username,
        status="pending",
    )
    line = ",".join(f'"{row[name]}"' for name in exchange.CSV_HEADER)
    data = f"{header}\n{line}\n".encode()
    return Call(
        "boss",
        _url("project_import", w.project),
        "post",
        {"file": SimpleUploadedFile("marks.csv", data, "text/csv")},
        status=302,
    )


def _upload(w) -> ImportUpload:
    call = _import_check(w)
    return import_uploads.check_import(
        user=w.user("boss"), project=w.doc().project, name="marks.csv", data=call.data["file"].read()
    )


def _import_detail(w):
    return Call("boss", _url("import_detail", _upload(w).pk))


def _import_confirm(w):
    return Call("boss", _url("import_detail", _upload(w).pk), "post", status=302)


def _assign(w):
    document = Document.objects.filter(project_id=w.project).exclude(assignments__user=w.user("ann2")).first()
    return Call(
        "boss",
        _url("assignment_list", w.project),
        "post",
        {"document": document.pk, "user": w.user("ann2").pk, "task": "annotate"},
        status=302,
    )


def _assignment_progress(w):
    assignment = Assignment.objects.filter(user=w.user("ann"), document__project_id=w.project).first()
    progress = "done" if assignment.progress != "done" else "in_progress"
    return Call(
        "ann",
        _url("assignment_update", assignment.pk),
        "post",
        {"action": "progress", "progress": progress},
        status=302,
    )


def _progress(changed: bool):
    """The dashboard as most views find it (its counts kept since the last change), or the first view after a change
    (every mark counted again, and kept)."""

    def call(w):
        from annotator import reads
        from annotator.models import Project

        project = Project.objects.get(pk=w.project)
        reads.progress(project)
        if changed:
            services.record_change(w.document, 0, 1)
        return Call("boss", _url("project_progress", w.project))

    return call


def _restore(w):
    mark = w.fresh_mark("ann", "evidence")
    services.delete_annotation(user=w.user("ann"), annotation=mark)
    return Call("ann", _url("annotation_restore", mark.pk), "post", {}, htmx=True)


def _token_create(w):
    return Call("ann", _url("token_list"), "post", {"name": w.name("script"), "scope": "write"}, htmx=True)


def _token_revoke(w):
    from annotator.services import tokens

    made = tokens.create_token(user=w.user("ann"), name=w.name("script"), scope="read")
    return Call("ann", _url("token_revoke", made.token.pk), "post", {}, htmx=True)


def _rating_add(w):
    return Call(
        "boss",
        _url("rating_list", w.project),
        "post",
        {"action": "add", "name": w.name("Wrong"), "value": "1"},
        status=302,
    )


def _verdict_save(w):
    data = {"rating": Rating.objects.get(project=w.project, name="Half true").pk, "summary": w.name("Stalin wanted")}
    return Call("rev", _url("verdict_save", w.claim), "post", data, htmx=True)


def _verdict_review(w):
    verdict = ClaimVerdict.objects.get(annotation=w.claim)
    return Call(
        "boss",
        _url("verdict_review", verdict.pk),
        "post",
        {"status": "accepted", "version": verdict.version},
        htmx=True,
    )


def _claim_review(w):
    verdict = ClaimVerdict.objects.get(annotation=w.claim)
    if verdict.status != Status.ACCEPTED:
        verdict_services.review_verdict(user=w.user("boss"), verdict=verdict, status=Status.ACCEPTED)
    return Call("ann", _url("claim_review", w.claim))


def _get(name, role="ann", *, on="project", params=None, htmx=False, status=200, **extra):
    """A GET of `name` with the world's object `on` as its argument (or none)."""

    def call(w):
        args = [] if on is None else [getattr(w, on)]
        args += [extra[k] for k in ("number",) if k in extra]
        url = _url(name, *args)
        query = params(w) if callable(params) else params
        return Call(role, url, data=query, htmx=htmx, status=status)

    return call


CASES = {
    "project_list": [_get("project_list", on=None)],
    "project_detail": [_get("project_detail"), _get("project_detail", "boss")],  # managers see documents being made
    "label_css": [_get("label_css")],
    # A page of results reads its entries, the names of the facets' values and the texts of the documents it links
    # into: never more however many match.
    "search_all": [_get("search_all", on=None, params={"q": "Stalin"})],
    "project_search": [
        _get("project_search", params={"q": "Stalin"}),
        _get("project_search", params={"q": "stalin -terror", "kind": "mark"}),
    ],
    "document_create": [_get("document_create", "boss"), _document_create, _document_create_from_pdf],
    "document_detail": [_get("document_detail", on="document"), _get("document_detail", on="document", htmx=True)],
    "mark_list": [
        _get("mark_list", on="document", htmx=True, params=lambda w: {"f_label": w.label("claim").pk}),
        _get("mark_list", on="document", htmx=True, params={"after": "0.0.0"}),  # the next page of the list
    ],
    "mark_count": [_get("mark_count", on="document", htmx=True, params=lambda w: {"f_label": w.label("claim").pk})],
    "document_part": [
        _get("document_part", on="document", htmx=True, number=0, params=lambda w: {"v": w.doc().version})
    ],
    "document_changes": [
        _get(
            "document_changes",
            on="document",
            status=204,
            params=lambda w: {"since": _revision(w), "pass": poll_pass.issue(w.user("ann").pk, w.document)},
        ),
        _get("document_changes", on="document", params=lambda w: {"since": _revision(w)}),  # no pass: a new one
        _get("document_changes", on="document", htmx=True, params=lambda w: {"since": _revision(w) - 1}),
        # The open mark unchanged costs one query more; changed, its panel's.
        _get(
            "document_changes",
            on="document",
            htmx=True,
            params=lambda w: {
                "since": _revision(w) - 1,
                "open_mark": f"{w.quote}.{Annotation.objects.get(pk=w.quote).version}",
            },
        ),
        _changes_with_open_mark,
    ],
    "annotation_create": [_annotation_create],
    "annotation_detail": [
        _get("annotation_detail", on="quote"),
        _get("annotation_detail", on="quote", htmx=True),
        _get(
            "annotation_detail", "rev", on="claim", htmx=True
        ),  # a claim's panel: its verdict, the same claim elsewhere
    ],
    "annotation_update": [_annotation_update, _annotation_update_conflict],
    "annotation_delete": [_annotation_delete],
    "annotation_mark_all": [
        _get("annotation_mark_all", on="quote"),
        _get("annotation_mark_all", on="quote", params={"scope": "project"}),
    ],
    "document_versions": [_get("document_versions", "boss", on="versioned"), _document_version],
    "version_diff": [_get("version_diff", on="versioned", params={"from": 1, "to": 2})],
    "version_detail": [_get("version_detail", on="versioned", number=1)],
    "version_report": [_get("version_report", on="versioned", number=2)],
    "annotation_reattach": [_annotation_reattach],
    "review_queue": [_get("review_queue", "rev"), _get("review_queue", "rev", htmx=True)],
    "annotation_review": [_annotation_review(""), _annotation_review("panel")],
    "agreement_index": [_get("agreement_index")],
    "document_agreement": [_get("document_agreement", on="document")],
    "disagreement_settle": [_disagreement_settle],
    "source_list": [_get("source_list"), _get("source_list", htmx=True, params={"q": "source"})],
    "source_create": [_get("source_create"), _source_create],
    "source_import": [_get("source_import"), _source_import],
    "source_export": [_get("source_export")],
    "source_detail": [_get("source_detail", on="source")],
    "source_update": [_get("source_update", on="source"), _source_update],
    "source_picker": [_get("source_picker", on="quote", params={"q": "source"})],
    "citation_create": [_citation_create],
    "citation_create_new": [_citation_create_new],
    "citation_delete": [_citation_delete],
    "suggestion_list": [_get("suggestion_list", on="document")],
    "suggestion_accept": [_suggestion_accept],
    "suggestion_dismiss": [_suggestion_dismiss],
    "suggestion_restore": [_suggestion_restore],
    "project_export": [_get("project_export", "rev")]
    + [_get("project_export", "rev", params={"format": f}) for f in ("csv", "jsonld", "links-csv")],
    "document_export": [
        _get("document_export", params={"format": f}, on="document") for f in ("csv", "jsonld", "links-csv")
    ],
    "mark_links": [_get("mark_links", on="quote")],
    "link_create": [_link_create],
    "link_targets": [
        _get("link_targets", on="quote", params={"q": "Stalin"}),
        _get("link_targets", on="quote", params=lambda w: {"mark": w.claim}),
    ],
    "link_update": [_link_update],
    "link_delete": [_link_delete],
    "link_review": [_link_review(""), _link_review("queue")],
    "link_types": [_get("link_types", "boss"), _link_type_add, _link_type_rename, _link_type_move],
    "link_queue": [_get("link_queue", "rev")],
    "document_map": [_get("document_map", on="document")],
    "project_map": [_get("project_map")],
    "extraction_detail": [
        _get("extraction_detail", "boss", on="extraction"),
        _get("extraction_detail", "boss", on="extraction", htmx=True),
    ],
    "document_refetch": [_document_refetch],
    "original_download": [_get("original_download", on="versioned", number=1)],
    # Running a team (issue 20)
    "project_create": [_get("project_create", "staff", on=None), _project_create],
    "project_settings": [_get("project_settings", "boss"), _project_rename],
    "project_guidelines": [_get("project_guidelines"), _guidelines_save],
    "project_members": [_get("project_members", "boss"), _member_add, _account_create],
    "label_list": [_get("label_list", "boss"), _label_add],
    "label_update": [_label_save, _label_move],
    "assignment_list": [_get("assignment_list", "boss"), _assign],
    "assignment_update": [_assignment_progress],
    "my_work": [_get("my_work", on=None), _get("my_work", "rev", on=None)],
    "project_progress": [_progress(changed=False), _progress(changed=True)],
    "deleted_marks": [_get("deleted_marks", on="document")],
    "annotation_restore": [_restore],
    "token_list": [_get("token_list", on=None), _token_create],
    "token_revoke": [_token_revoke],
    # Verdicts (issue 24)
    "rating_list": [_get("rating_list", "boss"), _rating_add],
    "verdict_save": [_verdict_save],
    "verdict_review": [_verdict_review],
    "fact_check": [_get("fact_check", on="claim")],
    "claim_review": [_claim_review],
    "project_claim_reviews": [_get("project_claim_reviews")],
    "project_import": [_get("project_import", "boss"), _import_check],
    "import_detail": [_import_detail, _import_confirm],
    # Webhooks (issue 23): the log shows the latest deliveries with their attempts, however many there are.
    "webhook_list": [_get("webhook_list", "boss"), _webhook_add],
    "webhook_detail": [
        _get("webhook_detail", "boss", on="webhook"),
        _get("webhook_detail", "boss", on="webhook", htmx=True),
        _webhook_post(
            {"action": "save", "url": "https://93.184.216.34/hook", "events": ["mark.created"], "active": "on"}
        ),
        _webhook_post({"action": "test"}),
        _webhook_post({"action": "test"}, htmx=True, status=200),
    ],
}


def url_names() -> list[str]:
    names = []
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "app_name", None) in ("admin", "api") or not hasattr(pattern, "url_patterns"):
            continue
        for inner in pattern.url_patterns:
            if (
                isinstance(inner, URLPattern)
                and inner.name
                and not inner.callback.__module__.startswith("django.contrib")
            ):
                names.append(inner.name)
    return names


def test_every_url_has_its_cases():
    assert set(url_names()) - set(CASES) == set(), "add the URL's GET and POST cases to CASES"
    assert set(CASES) - set(url_names()) == set(), "a case for a URL that is gone"


# The API (issue 23): every read, lists above all, through a browser session (a token's own queries are counted in
# tests/test_api.py's).


def _api(name, on="project", params=None, role="ann"):
    def call(w):
        kwargs = (
            {}
            if on is None
            else {
                "document": {"document_id": w.document},
                "project": {"project_id": w.project},
                "quote": {"annotation_id": w.quote},
                "source": {"source_id": w.source},
                "extraction": {"extraction_id": w.extraction},
            }[on]
        )
        return Call(role, reverse(f"api:{name}", kwargs=kwargs), data=params(w) if callable(params) else params)

    return call


def _api_import_detail(w):
    from annotator.exchange import CSV_HEADER
    from annotator.models import Project
    from annotator.services import import_uploads

    upload = import_uploads.check_import(
        user=w.user("boss"),
        project=Project.objects.get(pk=w.project),
        name="marks.csv",
        data=(",".join(CSV_HEADER) + "\n").encode(),
    )
    return Call("boss", reverse("api:import_detail", args=[upload.pk]))


API_CASES = {
    "project_list": [_api("project_list", on=None)],
    "project_detail": [_api("project_detail")],
    "member_list": [_api("member_list")],
    "label_list": [_api("label_list")],
    "document_list": [_api("document_list")],
    "project_mark_list": [
        _api("project_mark_list"),
        _api("project_mark_list", params=lambda w: {"document": w.document, "label": "claim", "offsets": "utf16"}),
    ],
    "document_detail": [_api("document_detail", on="document")],
    "extraction_detail": [_api("extraction_detail", on="extraction", role="boss")],
    "import_detail": [_api_import_detail],
    "mark_list": [
        _api("mark_list", on="document"),
        _api("mark_list", on="document", params={"status": "accepted", "updated_since": "2000-01-01T00:00:00Z"}),
        _api("mark_list", on="document", params={"offsets": "utf16", "page_size": 5}),
    ],
    "mark_stream": [
        _api("mark_stream", on="document"),
        _api("mark_stream", on="document", params={"offsets": "utf16"}),
    ],
    "mark_detail": [_api("mark_detail", on="quote")],
    "source_list": [_api("source_list")],
    "source_detail": [_api("source_detail", on="source")],
    "citation_list": [_api("citation_list", on="quote")],
    "link_type_list": [_api("link_type_list")],
    "link_list": [_api("link_list", on="quote")],
    "project_export": [
        _api("project_export", params={"format": "csv"}),
        _api("project_export", params={"format": "jsonld"}),
    ],
    "document_export": [_api("document_export", on="document", params={"format": "links-csv"})],
}


def api_gets() -> set[str]:
    from annotator.api import urls

    return {
        p.name for p in urls.urlpatterns if hasattr(p.callback, "view_class") and hasattr(p.callback.view_class, "get")
    }


def test_every_api_read_has_its_cases():
    assert api_gets() - {"schema", "docs"} == set(API_CASES)


@pytest.mark.parametrize(
    "name, make", [pytest.param(n, m, id=f"api-{n}-{k}") for n, ms in API_CASES.items() for k, m in enumerate(ms)]
)
def test_the_api_query_count_does_not_grow_with_the_project(worlds, db, name, make):
    _count(worlds["small"], make)
    small, small_sql = _count(worlds["small"], make)
    large, large_sql = _count(worlds["large"], make)
    assert small == large, "\n".join(["small world:", *small_sql, "", "large world:", *large_sql])


def _count(world: World, make) -> tuple[int, object]:
    call = make(world)
    client = Client()
    client.force_login(world.user(call.role))
    headers = {"HTTP_HX_REQUEST": "true"} if call.htmx else {}
    # Whether a text or its layout is already kept depends on what ran before, not on the project's size.
    kept_texts.forget_all()
    document_page.forget_layouts()
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, call.method)(call.url, call.data or {}, **headers)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == call.status, (
        call.url,
        response.status_code,
        getattr(response, "content", b"")[:300],
    )
    return len(captured), [" ".join(q["sql"].split())[:160] for q in captured]


def _params():
    for name in url_names():
        for k, make in enumerate(CASES.get(name, [])):
            yield pytest.param(name, make, id=f"{name}-{k}")


@pytest.mark.parametrize("name, make", list(_params()))
def test_the_query_count_does_not_grow_with_the_project(worlds, db, name, make):
    _count(worlds["small"], make)  # warm up: caches of the process, first-use queries
    small, small_sql = _count(worlds["small"], make)
    large, large_sql = _count(worlds["large"], make)
    assert small == large, "\n".join(["small world:", *small_sql, "", "large world:", *large_sql])

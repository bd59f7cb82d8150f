"""Hostile text in every field a user fills, and a project full of it, for the browser test and the export tests.

Each value holds markup that would run if it were ever parsed as HTML (each calls window.__pwned = 1), a
javascript: URL, a zero-width space, and ends with a bidi control left open (U+202E RIGHT-TO-LEFT OVERRIDE,
or U+2067 RIGHT-TO-LEFT ISOLATE) followed by "RLO" / "RLI": whatever the page shows after such a value in
the same bidi paragraph would be reversed, which is what the browser test looks for.
"""

from __future__ import annotations

from types import SimpleNamespace

from annotator import services
from annotator.models import LinkType, Source
from annotator.services import links, sources, versions

from .factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory

SCRIPT = "<script>window.__pwned=1</script>"
MARKUP = SCRIPT + '<img src=x onerror="window.__pwned=1">"><svg onload=window.__pwned=1>'
RLO, RLI = "\u202eRLO", "\u2067RLI"
# The longest fields take all of it; the short ones (labels, link types: 80 characters) the script tag alone.
HOSTILE = MARKUP + " javascript:window.__pwned=1 zero\u200bwidth " + RLO
HOSTILE_RLI = MARKUP + " javascript:window.__pwned=1 " + RLI
SHORT = SCRIPT + " " + RLO
BAD_URLS = [
    "javascript:window.__pwned=1",
    " JavaScript:window.__pwned=1",
    "data:text/html,<script>window.__pwned=1</script>",
]
SAFE_URL = "https://example.org/?q=" + SCRIPT + '&x="><svg/onload=window.__pwned=1>'

REPEATED = "Getty argues the centre restrained local zeal; others disagree."
TEXT = f"Intro line.\n\n{HOSTILE}\n\n{REPEATED}\n{REPEATED}\n"


def hostile_project() -> SimpleNamespace:
    """A project whose every name, title, note and field is hostile, made through the services wherever they exist."""
    project = ProjectFactory(name="Project " + HOSTILE)
    people = {}
    for name, role in [("ann", "annotator"), ("ann2", "annotator"), ("rev", "reviewer"), ("boss", "manager")]:
        people[name] = UserFactory(username=name)
        MembershipFactory(user=people[name], project=project, role=role)
    labels = {label.key: label for label in project.labels.all()}
    labels["claim"].name = "Claim " + SCRIPT  # named in the admin
    labels["claim"].save()
    document = services.add_document(
        user=people["boss"],
        project=project,
        title=HOSTILE,
        text=TEXT,
        origin='<img src=x onerror="window.__pwned=1">.txt',
    )
    DocumentFactory(project=project, title="Also marked", text=TEXT)

    def mark(user, exact, label, note="", occurrence=0):
        start = -1
        for _ in range(occurrence + 1):
            start = TEXT.index(exact, start + 1)
        return services.annotate(
            user=people[user],
            document=document,
            start=start,
            end=start + len(exact),
            exact=exact,
            label=labels[label],
            note=note,
        )

    claim = mark("ann", HOSTILE, "claim", note=HOSTILE)
    quotation = mark("ann2", REPEATED, "quotation", note=HOSTILE_RLI, occurrence=1)
    other_claim = mark("ann2", "Intro line.", "claim", note=HOSTILE)
    mark("ann", "Intro line.", "evidence", note=HOSTILE)
    services.review_annotation(user=people["rev"], annotation=other_claim, status="rejected", note=HOSTILE, version=1)
    claim = services.update_annotation(
        user=people["ann"], annotation=claim, version=1, note=HOSTILE_RLI
    )  # a change in its history

    fields = dict.fromkeys(("title", "container_title", "publisher", "archive", "archive_location"), HOSTILE)
    source = sources.create_source(
        user=people["ann"],
        project=project,
        type="book",
        authors=[{"family": HOSTILE, "given": SHORT}, {"literal": HOSTILE_RLI}],
        url=SAFE_URL,
        doi="10.1000/" + SCRIPT,
        full_text=HOSTILE,
        **fields,
    )
    # Written past the services, as older data or another tool might have it: never a clickable javascript: or data: link.
    legacy = [
        Source.objects.create(project=project, title=f"Legacy {i} {SHORT}", url=url) for i, url in enumerate(BAD_URLS)
    ]
    sources.cite_source(user=people["ann"], annotation=claim, source=source, locator=HOSTILE[:190], note=HOSTILE)
    sources.cite_source(user=people["ann2"], annotation=quotation, source=source, locator=SHORT, note=HOSTILE_RLI)

    # Names of labels and link types refuse bidi controls (text.NO_BIDI_IN_NAMES): markup is all they can hold.
    kind = links.add_link_type(
        user=people["boss"], project=project, name="relates " + SCRIPT, inverse_name="related " + SCRIPT
    )
    types = {t.key: t for t in LinkType.objects.filter(project=project)}
    links.create_link(
        user=people["ann"], from_annotation=claim, to_annotation=other_claim, type=types["same-as"], note=HOSTILE
    )
    said = links.create_link(
        user=people["ann2"], from_annotation=quotation, type=types["attributed-to"], speaker=HOSTILE[:190]
    )
    links.create_link(
        user=people["ann2"], from_annotation=quotation, type=types["attributed-to"], to_source=source, note=HOSTILE_RLI
    )
    links.create_link(user=people["ann"], from_annotation=claim, to_annotation=quotation, type=kind, note=HOSTILE)
    links.create_link(
        user=people["ann2"], from_annotation=claim, to_annotation=quotation, type=types["quotes"], note=HOSTILE
    )
    links.review_link(user=people["rev"], link=said, status="rejected", note=HOSTILE, version=1)

    versions.add_version(user=people["boss"], document=document, text=TEXT + HOSTILE_RLI + "\n", note=HOSTILE[:400])
    document.refresh_from_db()
    claim.refresh_from_db()
    return SimpleNamespace(
        project=project,
        people=people,
        document=document,
        claim=claim,
        quotation=quotation,
        reviewed=other_claim,
        source=source,
        legacy=legacy,
        link_type=kind,
        label=labels["claim"],
    )
